# Installation beyond the two targets, and the Debian packages (CPack).
# Included at the end of the top-level CMakeLists.txt, once the targets exist.
#
# Two install components, one Debian package each:
#   client -> remote-cl         libremote-cl.so*, remote-cl.icd, include/CL/*.h, client.conf.example,
#                               remote-cl, remote-cl-keygen (tools/CMakeLists.txt)
#   server -> remote-cl-server  remote-cl-server, remote-cl-server.service, server.conf.example
#
#   cmake --install build [--prefix /usr] [--component client|server]   (DESTDIR=... honoured)
#   cd build && cpack -G DEB                                              (always prefix /usr)
#
# remote-cl.icd and the systemd unit name installed paths, so they are written at
# install time from the prefix in use then (cmake --install --prefix, or /usr for cpack),
# by cmake/RclInstallGenerated.cmake.

include(GNUInstallDirs)

set(RCL_ICD_VENDORS_DIR "/etc/OpenCL/vendors" CACHE STRING
    "Where remote-cl.icd is installed: the folder the OpenCL ICD loader reads (relative: under the prefix)")
set(RCL_CONFIG_DIR "/etc/remote-cl" CACHE STRING
    "Where client.conf.example and server.conf.example are installed; the client reads /etc/remote-cl/client.conf")
set(RCL_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where remote-cl-server.service is installed (relative: under the prefix)")
set(RCL_ICD_LIBRARY_NAME "AUTO" CACHE STRING
    "What remote-cl.icd names: SONAME (libremote-cl.so.0, found by the dynamic linker), ABSOLUTE \
(the installed library's path), or AUTO (SONAME when the library is installed into /lib, /usr/lib \
or their multiarch folder, else ABSOLUTE)")
set_property(CACHE RCL_ICD_LIBRARY_NAME PROPERTY STRINGS AUTO SONAME ABSOLUTE)
set(RCL_PACKAGE_MAINTAINER "remote-cl maintainers <remote-cl@localhost>" CACHE STRING
    "Maintainer field of the Debian packages")

set(_rcl_packaging_dir ${PROJECT_SOURCE_DIR}/packaging)
set(_rcl_install_script ${CMAKE_CURRENT_LIST_DIR}/RclInstallGenerated.cmake)
# Files written at install time go here (one folder per install prefix).
set(_rcl_install_scratch ${PROJECT_BINARY_DIR}/packaging/install-time)

# --- client: library (icd/CMakeLists.txt), .icd, public headers, example config --------------
if(TARGET remote-cl)
  install(CODE "
    set(RCL_WHAT icd)
    set(RCL_SCRATCH \"${_rcl_install_scratch}\")
    set(RCL_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
    set(RCL_LIBRARY_ARCHITECTURE \"${CMAKE_LIBRARY_ARCHITECTURE}\")
    set(RCL_SONAME \"$<TARGET_SONAME_FILE_NAME:remote-cl>\")
    set(RCL_ICD_LIBRARY_NAME \"${RCL_ICD_LIBRARY_NAME}\")
    set(RCL_DESTINATION \"${RCL_ICD_VENDORS_DIR}\")
    include(\"${_rcl_install_script}\")
    " COMPONENT client)

  file(GLOB _rcl_public_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/CL/*.h)
  if(_rcl_public_headers)
    install(FILES ${_rcl_public_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/CL COMPONENT client)
  endif()

  install(FILES ${_rcl_packaging_dir}/client.conf.example DESTINATION ${RCL_CONFIG_DIR} COMPONENT client)
endif()

# --- server: binary (server/CMakeLists.txt), systemd unit, example EnvironmentFile ----------
if(TARGET remote-cl-server)
  install(CODE "
    set(RCL_WHAT unit)
    set(RCL_SCRATCH \"${_rcl_install_scratch}\")
    set(RCL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
    set(RCL_CONFIG_DIR \"${RCL_CONFIG_DIR}\")
    set(RCL_UNIT_TEMPLATE \"${_rcl_packaging_dir}/remote-cl-server.service.in\")
    set(RCL_DESTINATION \"${RCL_SYSTEMD_UNIT_DIR}\")
    include(\"${_rcl_install_script}\")
    " COMPONENT server)

  install(FILES ${_rcl_packaging_dir}/server.conf.example DESTINATION ${RCL_CONFIG_DIR} COMPONENT server)
  # The C interface of operation plugins (remote-cl-server --plugins DIR).
  install(FILES ${PROJECT_SOURCE_DIR}/include/rcl/rcl_plugin.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rcl
          COMPONENT server)
endif()

# --- Debian packages -------------------------------------------------------------------------
# Files under /etc are conffiles: dpkg keeps the administrator's edits.
function(_rcl_write_conffiles component)
  set(content "")
  foreach(path IN LISTS ARGN)
    if(NOT IS_ABSOLUTE "${path}")
      set(path "/usr/${path}")
    endif()
    if(path MATCHES "^/etc/")
      string(APPEND content "${path}\n")
    endif()
  endforeach()
  set(file ${PROJECT_BINARY_DIR}/packaging/${component}/conffiles)
  file(CONFIGURE OUTPUT ${file} CONTENT "${content}")
  set(_rcl_conffiles_${component} ${file} PARENT_SCOPE)
endfunction()
_rcl_write_conffiles(client ${RCL_ICD_VENDORS_DIR}/remote-cl.icd ${RCL_CONFIG_DIR}/client.conf.example)
_rcl_write_conffiles(server ${RCL_CONFIG_DIR}/server.conf.example)

set(CPACK_VERBATIM_VARIABLES ON)  # the descriptions hold quotes
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME remote-cl)
set(CPACK_PACKAGE_VENDOR remote-cl)
set(CPACK_PACKAGE_CONTACT "${RCL_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: CPackDeb would put it above both packages'
# descriptions; the first line of CPACK_DEBIAN_<COMPONENT>_DESCRIPTION is the summary.
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
set(CPACK_STRIP_FILES ON)
# Absolute destinations (/etc/...) need DESTDIR packaging; the package's prefix is /usr.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL client server)
set(CPACK_DEB_COMPONENT_INSTALL ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_CLIENT_PACKAGE_NAME remote-cl)
set(CPACK_DEBIAN_CLIENT_PACKAGE_SECTION libs)
# The ICD is loaded by the ICD loader (libOpenCL.so.1), which it does not link.
set(CPACK_DEBIAN_CLIENT_PACKAGE_DEPENDS "ocl-icd-libopencl1 | libopencl1")
set(CPACK_DEBIAN_CLIENT_PACKAGE_PROVIDES "opencl-icd")
set(CPACK_DEBIAN_CLIENT_PACKAGE_SUGGESTS "clinfo")
set(CPACK_DEBIAN_CLIENT_PACKAGE_CONTROL_EXTRA ${_rcl_conffiles_client})
set(CPACK_DEBIAN_CLIENT_DESCRIPTION "OpenCL driver (ICD) for the devices of remote hosts
remote-cl is an OpenCL installable client driver: every OpenCL call is
forwarded over ZeroMQ to remote-cl-server on another host, which replays it
on that host's real OpenCL platform. Unmodified OpenCL programs see that
platform, with its own name and versions (ICD suffix RCL).

Name the servers in /etc/remote-cl/client.conf (see client.conf.example)
or with REMOTE_CL_SERVERS.")

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME remote-cl-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "pocl-opencl-icd")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "clinfo")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    ${_rcl_conffiles_server}
    ${_rcl_packaging_dir}/debian/server/postinst
    ${_rcl_packaging_dir}/debian/server/prerm
    ${_rcl_packaging_dir}/debian/server/postrm)
set(CPACK_DEBIAN_SERVER_DESCRIPTION "server offering this host's OpenCL devices to remote-cl clients
remote-cl-server replays the OpenCL calls of remote-cl clients on a real
OpenCL platform of this host (a GPU driver, or PoCL on the CPU).

The systemd unit remote-cl-server.service is installed but not enabled;
its settings go to /etc/remote-cl/server.conf (see server.conf.example).
There is no encryption or authentication: listen on a trusted network.")

set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build[^/]*/" "__pycache__")

include(CPack)
cpack_add_component(client DISPLAY_NAME "remote-cl client driver")
cpack_add_component(server DISPLAY_NAME "remote-cl server")
