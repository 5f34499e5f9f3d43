# Runs at install time (install(CODE) from cmake/Packaging.cmake): writes a file that
# names installed paths, from the prefix in use now, and installs it like install(FILES),
# so DESTDIR, the install manifest and CPack see it as any other file.
#
# RCL_WHAT icd:  remote-cl.icd into RCL_DESTINATION. It holds the library's soname
#                (RCL_SONAME) when the library's folder is one the dynamic linker searches
#                by default, else its absolute installed path (without DESTDIR: DESTDIR
#                is a staging root, the path is where the library will finally be).
#                RCL_ICD_LIBRARY_NAME SONAME or ABSOLUTE forces one of the two.
# RCL_WHAT unit: remote-cl-server.service from RCL_UNIT_TEMPLATE into RCL_DESTINATION,
#                with @RCL_SERVER_EXECUTABLE@ and @RCL_CONFIG_DIR@ made absolute.

cmake_policy(PUSH)
cmake_policy(VERSION 3.22)  # cmake_install.cmake sets no policies (IN_LIST, cmake_path)

function(rcl_under_prefix out path)
  if(NOT IS_ABSOLUTE "${path}")
    set(path "${CMAKE_INSTALL_PREFIX}/${path}")
  endif()
  cmake_path(NORMAL_PATH path)
  string(REGEX REPLACE "(.)/+$" "\\1" path "${path}")
  set(${out} "${path}" PARENT_SCOPE)
endfunction()

rcl_under_prefix(_rcl_destination "${RCL_DESTINATION}")
string(MD5 _rcl_key "${CMAKE_INSTALL_PREFIX}")
set(_rcl_scratch "${RCL_SCRATCH}/${_rcl_key}")

if(RCL_WHAT STREQUAL "icd")
  rcl_under_prefix(_rcl_libdir "${RCL_LIBDIR}")
  set(_rcl_linker_dirs /lib /usr/lib)
  if(RCL_LIBRARY_ARCHITECTURE)
    list(APPEND _rcl_linker_dirs /lib/${RCL_LIBRARY_ARCHITECTURE} /usr/lib/${RCL_LIBRARY_ARCHITECTURE})
  endif()
  set(_rcl_name_style "${RCL_ICD_LIBRARY_NAME}")
  if(NOT _rcl_name_style MATCHES "^(SONAME|ABSOLUTE)$")
    if(_rcl_libdir IN_LIST _rcl_linker_dirs)
      set(_rcl_name_style SONAME)
    else()
      set(_rcl_name_style ABSOLUTE)
    endif()
  endif()
  if(_rcl_name_style STREQUAL "SONAME")
    set(_rcl_library "${RCL_SONAME}")
  else()
    set(_rcl_library "${_rcl_libdir}/${RCL_SONAME}")
  endif()
  # Written only when it changes, so that a repeated install finds it up to date.
  set(_rcl_old "")
  if(EXISTS "${_rcl_scratch}/remote-cl.icd")
    file(READ "${_rcl_scratch}/remote-cl.icd" _rcl_old)
  endif()
  if(NOT _rcl_old STREQUAL "${_rcl_library}\n")
    file(WRITE "${_rcl_scratch}/remote-cl.icd" "${_rcl_library}\n")
  endif()
  set(_rcl_generated "${_rcl_scratch}/remote-cl.icd")
elseif(RCL_WHAT STREQUAL "unit")
  rcl_under_prefix(_rcl_bindir "${RCL_BINDIR}")
  set(RCL_SERVER_EXECUTABLE "${_rcl_bindir}/remote-cl-server")
  rcl_under_prefix(RCL_CONFIG_DIR "${RCL_CONFIG_DIR}")
  configure_file("${RCL_UNIT_TEMPLATE}" "${_rcl_scratch}/remote-cl-server.service" @ONLY)
  set(_rcl_generated "${_rcl_scratch}/remote-cl-server.service")
else()
  message(FATAL_ERROR "RclInstallGenerated.cmake: unknown RCL_WHAT '${RCL_WHAT}'")
endif()

get_filename_component(_rcl_name "${_rcl_generated}" NAME)
# file(INSTALL) skips a destination with the source's time stamp (to the second), even if
# its content differs (e.g. installed for another prefix): compare contents here.
set(_rcl_installed "$ENV{DESTDIR}${_rcl_destination}/${_rcl_name}")
if(EXISTS "${_rcl_installed}")
  file(READ "${_rcl_installed}" _rcl_old)
  file(READ "${_rcl_generated}" _rcl_new)
  if(NOT _rcl_old STREQUAL _rcl_new)
    file(REMOVE "${_rcl_installed}")
  endif()
endif()
if(IS_ABSOLUTE "${RCL_DESTINATION}")
  list(APPEND CMAKE_ABSOLUTE_DESTINATION_FILES "${_rcl_destination}/${_rcl_name}")
endif()
file(INSTALL DESTINATION "${_rcl_destination}" TYPE FILE
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
     FILES "${_rcl_generated}")

cmake_policy(POP)
