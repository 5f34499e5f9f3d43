// What the client keeps of a program's build options: whether they ask for
// uniform work-groups, so a launch whose groups do not divide the range is
// refused at the call (CL_INVALID_WORK_GROUP_SIZE), as natively.
#pragma once

namespace rcl::icd {

// -cl-uniform-work-group-size, or an OpenCL C 1.x (-cl-std=CL1.x), where
// work-groups are uniform. (Without -cl-std the implementation picks the
// version; the server judges those launches.)
bool asksUniformWorkGroups(const char* options);

}  // namespace rcl::icd
