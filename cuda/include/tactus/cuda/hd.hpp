#pragma once
// TACTUS_HD marks functions that nvcc compiles for both the host and the
// device; for a plain C++ compiler it is empty. The maths the kernels share
// with the CPU lives in such functions, in headers, so CPU tests built
// without nvcc run exactly the code the GPU runs.
#ifdef __CUDACC__
#define TACTUS_HD __host__ __device__
#else
#define TACTUS_HD
#endif
