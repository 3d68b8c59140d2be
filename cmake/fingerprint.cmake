# Writes OUT: a header defining NAME as a digest of the files in FILES
# (a ;-separated list): the build's fingerprint of the code that packs the
# CPU network (tactus/packed_model.hpp), so that a packed model file made
# by other code is not taken for this code's.
set(digest "")
foreach(f ${FILES})
  file(SHA256 ${f} h)
  string(APPEND digest ${h})
endforeach()
string(SHA256 digest "${digest}")
string(SUBSTRING ${digest} 0 16 digest)
set(text "#pragma once\n#define ${NAME} \"${digest}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} ${text})
endif()
