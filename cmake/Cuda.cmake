# The CUDA/cuDNN backend (cuda/): TACTUS_CUDA=AUTO builds it when nvcc is
# found, ON requires it, OFF skips it. See cuda/CMakeLists.txt.
set(TACTUS_HAVE_CUDA OFF)
if(NOT TACTUS_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(TACTUS_HAVE_CUDA ON)
  elseif(TACTUS_CUDA STREQUAL "ON")
    message(FATAL_ERROR "TACTUS_CUDA=ON but no CUDA compiler (nvcc) was found")
  else()
    message(STATUS "CUDA backend: nvcc not found, building without it (TACTUS_CUDA=AUTO)")
  endif()
endif()
if(TACTUS_HAVE_CUDA AND EXISTS ${PROJECT_SOURCE_DIR}/cuda/CMakeLists.txt)
  add_subdirectory(cuda)
endif()

# tactus_devices: what a program links to run the CRNN on every device this
# build supports. With the CUDA backend, the object that registers it with
# the engine is linked in directly (as a member of a static library that
# nothing references, the linker would drop it).
add_library(tactus_devices INTERFACE)
if(TARGET tactus_cuda)
  target_sources(tactus_devices INTERFACE $<TARGET_OBJECTS:tactus_cuda_register>)
  target_link_libraries(tactus_devices INTERFACE tactus_cuda)
  target_compile_definitions(tactus_devices INTERFACE TACTUS_HAVE_CUDA=1)
endif()
