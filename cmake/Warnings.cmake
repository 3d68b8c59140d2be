# Warnings for the project's own targets (not for third-party code).
add_library(tactus_warnings INTERFACE)
target_compile_options(tactus_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Woverloaded-virtual -Wcast-align -Wimplicit-fallthrough
    -Wmissing-declarations>)
