// FFTW wisdom for the feature extractor's two 2400-point FFTs (see
// fft_plans.hpp), as tactus-fft-wisdom (tools/fft) printed it with Debian
// 12's libfftw3f 3.3.10 on an AMD EPYC (FFTW's codelets there stop at AVX).
#include "fft_plans.hpp"

namespace tactus {

const char* const kFftWisdom = R"wisdom((fftw-3.3.10 fftwf_wisdom #x9e7d4dee #xdb14fed1 #x34bf76a4 #xeb6e8fdf
  (fftwf_codelet_n2bv_12_avx 0 #x11048 #x11048 #x0 #xcce1fac6 #xfa0f8464 #x323ff5bd #x32b82690)
  (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #x5889db92 #xa8cad72a #x7d8c008d #x2eeefbd6)
  (fftwf_codelet_n2fv_12_avx 0 #x11048 #x11048 #x0 #xe850630e #xa8f992c5 #xeda91ad5 #xc3b5ac35)
  (fftwf_codelet_t2fv_20_avx 0 #x11048 #x11048 #x0 #xfa115e7a #x19f11062 #xf6057f21 #xaf3dd956)
  (fftwf_codelet_t2bv_10_avx 0 #x11048 #x11048 #x0 #xed1364e5 #x2953a627 #x0b7c9550 #xe255d81d)
  (fftwf_codelet_t2fv_10_avx 0 #x11048 #x11048 #x0 #xddac9dd1 #xe3527024 #x70e8875b #x5645b834)
  (fftwf_codelet_t2bv_20_avx 0 #x11048 #x11048 #x0 #xfe1b73ae #x37ea1e5c #x1f151029 #x927f3d49)
  (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #x43d4cf95 #x9988abd9 #x1f446846 #x4a653236)
)
)wisdom";

}  // namespace tactus
