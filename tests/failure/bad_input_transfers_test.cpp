// Bad input (bad_input_test.h): transfers whose range lies - buffer, rect and
// image reads and writes, image creations' host bytes, transfer pieces
// outside their buffer.

#include "bad_input_test.h"

namespace rcl::test {
namespace {

// [clEnqueueReadBuffer], [clEnqueueWriteBuffer]: offset + size within the
// buffer, without wrapping; the bytes sent are the size.
TEST_F(BadInputTest, BufferReadsAndWritesOutsideTheirBufferAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0xb0ff);
  ASSERT_NO_FATAL_FAILURE(open(client));
  const std::string sixteen(16, 'x');

  EXPECT_EQ(readBuffer(client, kBuffer, kNearlyAll, 16, 100).status, CL_INVALID_VALUE) << "a read whose end wraps";
  EXPECT_EQ(readBuffer(client, kBuffer, 0, std::uint64_t{1} << 40, 101).status, CL_INVALID_VALUE)
      << "a read of 1 TiB";
  EXPECT_EQ(readBuffer(client, kBuffer, kBufferBytes - 8, 16, 102).status, CL_INVALID_VALUE)
      << "a read past the end";
  EXPECT_EQ(writeBuffer(client, kBuffer, kNearlyAll, 16, sixteen).status, CL_INVALID_VALUE)
      << "a write whose end wraps";
  EXPECT_EQ(writeBuffer(client, kBuffer, 0, 32, sixteen).status, CL_INVALID_VALUE) << "a size past the bytes sent";
  EXPECT_EQ(writeBuffer(client, kBuffer, 0, 8, sixteen).status, CL_INVALID_VALUE) << "bytes past the size";
  EXPECT_EQ(writeBuffer(client, kBuffer, 0, ~std::uint64_t{0}, sixteen).status, CL_INVALID_VALUE)
      << "a size of 2^64 - 1";
  expectServing(client, "buffer transfer lies");

  const std::string data = "sixteen bytes ok";
  ASSERT_EQ(writeBuffer(client, kBuffer, 64, data.size(), data).status, CL_SUCCESS);
  ASSERT_EQ(readBuffer(client, kBuffer, 64, data.size(), 103).status, CL_SUCCESS);
  EXPECT_EQ(readData(client, "the read back"), data);
}

// [clEnqueueReadBufferRect], [clEnqueueWriteBufferRect]: the packed region
// is the bytes sent (or staged), without overflow, and fits in the buffer.
TEST_F(BadInputTest, RectTransfersWhoseRegionLiesAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x4ec7);
  ASSERT_NO_FATAL_FAILURE(open(client));
  using Triple = std::array<std::size_t, 3>;
  const auto writeRect = [&](Triple region, const std::string& bytes) {
    return client.call(CallId::clEnqueueWriteBufferRect, [&](protocol::Writer& w) {
      const Triple origin{0, 0, 0};
      w.u64(kQueue);
      w.u64(kBuffer);
      w.bin(origin.data(), sizeof origin);
      w.bin(region.data(), sizeof region);
      w.u64(0);  // buffer pitches: packed
      w.u64(0);
      w.bulkCopy(bytes.data(), bytes.size());
      w.nil();
      w.nil();
    });
  };
  std::uint64_t readId = 200;
  const auto readRect = [&](Triple region) {
    return client.call(CallId::clEnqueueReadBufferRect, [&](protocol::Writer& w) {
      const Triple origin{0, 0, 0};
      w.u64(kQueue);
      w.u64(kBuffer);
      w.bin(origin.data(), sizeof origin);
      w.bin(region.data(), sizeof region);
      w.u64(0);
      w.u64(0);
      w.nil();
      w.u64(readId++);
    });
  };
  EXPECT_EQ(writeRect({4, 4, 1}, std::string(8, 'r')).status, CL_INVALID_VALUE) << "a region past the bytes sent";
  EXPECT_EQ(writeRect({4, 4, 1}, std::string(32, 'r')).status, CL_INVALID_VALUE) << "bytes past the region";
  // 2^63 + 1 rows of 2 bytes: the product wraps to 2, the bytes sent.
  EXPECT_EQ(writeRect({(std::size_t{1} << 63) + 1, 2, 1}, "rr").status, CL_INVALID_VALUE) << "a region that wraps";
  EXPECT_EQ(readRect({std::size_t{1} << 20, std::size_t{1} << 20, std::size_t{1} << 10}).status, CL_INVALID_VALUE)
      << "a read of 2^50 bytes";
  EXPECT_EQ(readRect({std::size_t{1} << 32, std::size_t{1} << 32, 1}).status, CL_INVALID_VALUE)
      << "a read whose region wraps to 0";
  EXPECT_EQ(readRect({64, 64, 2}).status, CL_INVALID_VALUE) << "a read larger than the buffer";
  expectServing(client, "rect transfer lies");

  const std::string data = "eight by";
  EXPECT_EQ(writeRect({4, 2, 1}, data).status, CL_SUCCESS);
  ASSERT_EQ(readRect({4, 2, 1}).status, CL_SUCCESS);
  EXPECT_EQ(readData(client, "the rect read"), data);
}

// An 8 x 8 RGBA image of bytes, with its host memory if given.
std::function<void(protocol::Writer&)> image2d(std::uint64_t id, const std::optional<std::string>& host,
                                               std::size_t rowPitch = 0) {
  return [=](protocol::Writer& w) {
    const cl_image_format format{CL_RGBA, CL_UNSIGNED_INT8};
    cl_image_desc desc{};
    desc.image_type = CL_MEM_OBJECT_IMAGE2D;
    desc.image_width = 8;
    desc.image_height = 8;
    desc.image_row_pitch = rowPitch;
    w.u64(id);
    w.u64(kContext);
    w.u64(CL_MEM_READ_WRITE | (host ? CL_MEM_COPY_HOST_PTR : 0));
    w.bin(&format, sizeof format);
    w.bin(&desc, sizeof desc);
    w.nil();  // no mem_object
    if (host) w.bulkCopy(host->data(), host->size());
    else w.nil();
  };
}

// [clEnqueueReadImage], [clEnqueueWriteImage]: the packed region is the bytes
// sent, without overflow, and no larger than the image.
TEST_F(BadInputTest, ImageTransfersWhoseRegionLiesAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x1a6e);
  ASSERT_NO_FATAL_FAILURE(open(client));
  ASSERT_EQ(client.call(CallId::clCreateImage, image2d(20, std::nullopt)).status, CL_SUCCESS);
  using Triple = std::array<std::size_t, 3>;
  const auto writeImage = [&](Triple region, const std::string& bytes) {
    return client.call(CallId::clEnqueueWriteImage, [&](protocol::Writer& w) {
      const Triple origin{0, 0, 0};
      w.u64(kQueue);
      w.u64(20);
      w.bin(origin.data(), sizeof origin);
      w.bin(region.data(), sizeof region);
      w.bulkCopy(bytes.data(), bytes.size());
      w.nil();
      w.nil();
    });
  };
  std::uint64_t readId = 300;
  const auto readImage = [&](Triple region) {
    return client.call(CallId::clEnqueueReadImage, [&](protocol::Writer& w) {
      const Triple origin{0, 0, 0};
      w.u64(kQueue);
      w.u64(20);
      w.bin(origin.data(), sizeof origin);
      w.bin(region.data(), sizeof region);
      w.nil();
      w.u64(readId++);
    });
  };
  EXPECT_EQ(writeImage({8, 8, 1}, std::string(16, 'i')).status, CL_INVALID_VALUE) << "a region past the bytes sent";
  // 2^62 pixels of 4 bytes: the product wraps to 0, the bytes sent.
  EXPECT_EQ(writeImage({std::size_t{1} << 62, 1, 1}, "").status, CL_INVALID_VALUE) << "a region that wraps";
  EXPECT_EQ(readImage({std::size_t{1} << 20, std::size_t{1} << 20, 1}).status, CL_INVALID_VALUE)
      << "a read of 4 TiB";
  EXPECT_EQ(readImage({16, 16, 1}).status, CL_INVALID_VALUE) << "a read larger than the image";
  expectServing(client, "image transfer lies");

  const std::string pixels(8 * 8 * 4, 'p');
  EXPECT_EQ(writeImage({8, 8, 1}, pixels).status, CL_SUCCESS);
  ASSERT_EQ(readImage({8, 8, 1}).status, CL_SUCCESS);
  EXPECT_EQ(readData(client, "the image read"), pixels);
}

// [clCreateImage], [clCreateImageWithProperties]: format and description
// are exactly their structs, the host memory holds what the implementation
// reads (its rows at their pitch), no product overflows.
TEST_F(BadInputTest, ImageCreationsWhoseHostBytesLieAreRefused) {
  RawClient client(zmq_, server_->endpoint(), 0x1a6f);
  ASSERT_NO_FATAL_FAILURE(open(client));
  const std::string packed(8 * 8 * 4, 'h');
  EXPECT_EQ(client.call(CallId::clCreateImage, image2d(20, std::string(16, 'h'))).status, CL_INVALID_HOST_PTR)
      << "16 bytes for an image of 256";
  EXPECT_EQ(client.call(CallId::clCreateImage, image2d(21, packed, 4096)).status, CL_INVALID_HOST_PTR)
      << "packed bytes for rows 4096 bytes apart";
  EXPECT_EQ(client.call(CallId::clCreateImage, image2d(22, packed, 8)).status, CL_INVALID_IMAGE_DESCRIPTOR)
      << "a row pitch under the row";
  const auto create = [&](std::uint64_t id, std::size_t formatBytes, std::size_t descBytes,
                          const std::function<void(cl_image_desc&)>& edit, bool withProperties = false) {
    return client
        .call(withProperties ? CallId::clCreateImageWithProperties : CallId::clCreateImage,
              [&](protocol::Writer& w) {
                const cl_image_format format{CL_RGBA, CL_UNSIGNED_INT8};
                cl_image_desc desc{};
                desc.image_type = CL_MEM_OBJECT_IMAGE2D;
                desc.image_width = 8;
                desc.image_height = 8;
                if (edit) edit(desc);
                std::string raw(sizeof desc + 16, '\0');
                std::memcpy(raw.data(), &desc, sizeof desc);
                w.u64(id);
                w.u64(kContext);
                if (withProperties) w.nil();
                w.u64(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR);
                w.bin(&format, formatBytes);
                if (descBytes != 0) w.bin(raw.data(), descBytes);
                else w.nil();
                w.nil();
                w.bulkCopy(packed.data(), packed.size());
              })
        .status;
  };
  EXPECT_EQ(create(23, 4, sizeof(cl_image_desc), nullptr), CL_INVALID_IMAGE_FORMAT_DESCRIPTOR) << "half a format";
  EXPECT_EQ(create(24, sizeof(cl_image_format), 16, nullptr), CL_INVALID_IMAGE_DESCRIPTOR) << "a cut description";
  EXPECT_EQ(create(25, sizeof(cl_image_format), sizeof(cl_image_desc) + 16, nullptr), CL_INVALID_IMAGE_DESCRIPTOR)
      << "a description too long";
  EXPECT_EQ(create(26, sizeof(cl_image_format), 0, nullptr), CL_INVALID_IMAGE_DESCRIPTOR) << "no description";
  EXPECT_EQ(create(27, sizeof(cl_image_format), sizeof(cl_image_desc),
                   [](cl_image_desc& d) { d.image_width = std::size_t{1} << 62; }),
            CL_INVALID_IMAGE_SIZE)
      << "a row whose size wraps";
  EXPECT_EQ(create(28, sizeof(cl_image_format), sizeof(cl_image_desc),
                   [](cl_image_desc& d) { d.image_height = std::size_t{1} << 60; }),
            CL_INVALID_IMAGE_SIZE)
      << "rows whose size wraps";
  EXPECT_EQ(create(29, sizeof(cl_image_format), sizeof(cl_image_desc),
                   [](cl_image_desc& d) {
                     d.image_type = CL_MEM_OBJECT_IMAGE3D;
                     d.image_depth = 4;
                   }),
            CL_INVALID_HOST_PTR)
      << "one slice of four";
  EXPECT_EQ(create(30, sizeof(cl_image_format), sizeof(cl_image_desc),
                   [](cl_image_desc& d) { d.image_height = 64; }, true),
            CL_INVALID_HOST_PTR)
      << "clCreateImageWithProperties: 8 rows of 64";
  // Descriptions PoCL exits on (the worker with it) rather than refuse.
  EXPECT_EQ(create(33, sizeof(cl_image_format), sizeof(cl_image_desc), [](cl_image_desc& d) { d.num_samples = 4; }),
            CL_INVALID_IMAGE_DESCRIPTOR)
      << "num_samples of 4";
  EXPECT_EQ(create(34, sizeof(cl_image_format), sizeof(cl_image_desc), [](cl_image_desc& d) { d.num_mip_levels = 2; }),
            CL_INVALID_IMAGE_DESCRIPTOR)
      << "mip levels without cl_khr_mipmap_image";
  expectServing(client, "image creation lies");

  EXPECT_EQ(client.call(CallId::clCreateImage, image2d(31, packed)).status, CL_SUCCESS);
  EXPECT_EQ(create(32, sizeof(cl_image_format), sizeof(cl_image_desc), nullptr, true), CL_SUCCESS);
}

// [ShmWritePiece], [DirectWrite], [BulkWrite], [SharedWrite], [SharedMap], [MapReadBuffer]:
// a piece's bytes lie in its buffer, without wrapping, or its transfer fails
// with CL_INVALID_VALUE (the piece's error is the command's).
TEST_F(BadInputTest, TransferPiecesWhoseRangeLiesFailTheirTransfer) {
  RawClient client(zmq_, server_->endpoint(), 0x9ece);
  ASSERT_NO_FATAL_FAILURE(open(client));
  TestSegment segment;
  auto attached = attach(client, segment, std::pair{::getpid(), segment.headerAddress()});
  ASSERT_TRUE(attached);
  ASSERT_EQ(attached->status, CL_SUCCESS);
  attached->rest->u64();  // the cookie
  ASSERT_TRUE(attached->rest->boolean()) << "no direct copies: the worker could not read this process";

  std::uint64_t token = 500;
  // A piece ([requests.Piece]), sent as a client does (no answer).
  const auto piece = [&](CallId call, std::uint64_t where, std::uint64_t length, std::uint64_t offset) {
    const protocol::calls::Piece request{
        .token = token, .where = where, .length = length, .queue = kQueue, .buffer = kBuffer, .offset = offset};
    client.post(call, [&](protocol::Writer& w) { request.encodeBody(w); });
  };
  // The write the pieces stand for: 16 bytes at 0, all of them in the pieces.
  const auto command = [&] {
    return client
        .call(CallId::clEnqueueWriteBuffer,
              [&](protocol::Writer& w) {
                w.u64(kQueue);
                w.u64(kBuffer);
                w.u64(0);
                w.u64(16);
                w.nil();  // no pieces
                w.nil();
                w.nil();
                w.u64(token++);
              })
        .status;
  };
  const std::uint64_t local = reinterpret_cast<std::uintptr_t>(segment.name().data());

  piece(CallId::WritePiece, 0, 16, kNearlyAll);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "a slot piece whose end wraps";
  auto freed = client.receive();
  ASSERT_TRUE(freed) << "the slot was not given back";
  EXPECT_EQ(freed->kind, Kind::SlotFree);
  piece(CallId::DirectWrite, local, 16, kNearlyAll);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "a direct piece whose end wraps";
  piece(CallId::DirectWrite, local, 8, 8);
  piece(CallId::DirectWrite, local, kNearlyAll, 16);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "pieces whose lengths add up past 2^64";
  piece(CallId::DirectWrite, local, 16, kBufferBytes - 8);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "a direct piece past the buffer's end";
  piece(CallId::SharedWrite, local, 16, kNearlyAll);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "a shared piece whose end wraps";
  auto map = client.call(CallId::SharedMap, [&](protocol::Writer& w) {
    w.u64(kQueue);
    w.u64(kBuffer);
    w.u64(CL_MAP_READ);
    w.u64(kNearlyAll);
    w.u64(16);
    w.nil();
    w.nil();
    w.u64(0);  // where the client's mapping would be
  });
  EXPECT_EQ(map.status, CL_INVALID_VALUE) << "a shared map whose end wraps";
  // [MapReadBuffer]: the read of a map for writing of a host-write-only buffer.
  const auto mapRead = [&](std::uint64_t offset, std::uint64_t size) {
    return client
        .call(CallId::MapReadBuffer,
              [&](protocol::Writer& w) {
                w.u64(kQueue);
                w.u64(kBuffer);
                w.u64(offset);
                w.u64(size);
                w.nil();  // wait list
                w.u64(token++);  // read id
              })
        .status;
  };
  EXPECT_EQ(mapRead(kNearlyAll, 16), CL_INVALID_VALUE) << "a map's read whose end wraps";
  EXPECT_EQ(mapRead(kBufferBytes - 8, 16), CL_INVALID_VALUE) << "a map's read past the buffer's end";
  EXPECT_EQ(mapRead(0, 0), CL_INVALID_VALUE) << "a map's read of nothing";

  // A bulk socket's piece (its lanes are never connected: the piece comes first).
  client.sendControl(protocol::control::BulkAttach{.seq = 91, .lanes = 1}.frames());
  auto bulk = client.receive();
  ASSERT_TRUE(bulk);
  ASSERT_EQ(bulk->status, CL_SUCCESS) << "no bulk socket";
  piece(CallId::BulkWrite, token, 16, kNearlyAll);
  EXPECT_EQ(command(), CL_INVALID_VALUE) << "a bulk piece whose end wraps";
  expectServing(client, "piece lies");

  // The session's transfers go on.
  const std::string data = "still sixteen ok";
  ASSERT_EQ(writeBuffer(client, kBuffer, 0, data.size(), data).status, CL_SUCCESS);
  ASSERT_EQ(readBuffer(client, kBuffer, 0, data.size(), 600).status, CL_SUCCESS);
  EXPECT_EQ(readData(client, "the read back"), data);
}

}  // namespace
}  // namespace rcl::test
