# TACTUS_SANITIZE=thread builds everything with ThreadSanitizer; =address with
# AddressSanitizer and UndefinedBehaviorSanitizer. Used by tools/test.sh.
if(TACTUS_SANITIZE STREQUAL "thread")
  # -Wno-tsan: GCC warns in every file that includes the seqlock that TSan
  # does not model atomic_thread_fence. Its payload is relaxed atomic words,
  # which TSan checks as atomics; the fences' ordering is what
  # tests/engine/seqlock_test.cpp checks (readers never see a torn value).
  add_compile_options(-fsanitize=thread -g -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
elseif(TACTUS_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -g -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(NOT TACTUS_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TACTUS_SANITIZE must be thread, address or empty")
endif()
