// FFTW wisdom for the feature extractor's FFTs, 2400 and 3072 points, both
// directions (see fft_plans.hpp), as tactus-fft-wisdom (tools/fft) printed
// it with Debian 12's libfftw3f 3.3.10 on an AMD EPYC (Zen 3; FFTW's
// codelets there stop at AVX).
#include "fft_plans.hpp"

namespace tactus {

const char* const kFftWisdom = R"wisdom((fftw-3.3.10 fftwf_wisdom #x9e7d4dee #xdb14fed1 #x34bf76a4 #xeb6e8fdf
  (fftwf_codelet_t2bv_20_avx 0 #x11048 #x11048 #x0 #x38c4c2be #x16ffceb2 #xd8ac71e8 #x1213d19e)
  (fftwf_codelet_n2bv_12_avx 0 #x11048 #x11048 #x0 #xb3699bee #x5304d8af #x7115bfb8 #x2dc03f83)
  (fftwf_codelet_n2fv_8_avx 0 #x11048 #x11048 #x0 #xd5684df1 #xf449a4b6 #xb14311f4 #xf02c980b)
  (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #x76f89d1d #x25decb2a #x835cd48b #x2ff5110c)
  (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #xd409d440 #xed109721 #x32ad62af #xf0518b20)
  (fftwf_codelet_t3bv_10_avx 0 #x11048 #x11048 #x0 #xfe1b73ae #x37ea1e5c #x1f151029 #x927f3d49)
  (fftwf_codelet_n1bv_12_avx 0 #x11048 #x11048 #x0 #x437b421a #x69441c65 #xca6644af #x07fa34ae)
  (fftwf_codelet_t2bv_16_avx 0 #x11048 #x11048 #x0 #x7eab3c5a #x09ba1135 #xce0750ad #x237fb4d2)
  (fftwf_codelet_t1fv_20_avx 0 #x11048 #x11048 #x0 #xfa115e7a #x19f11062 #xf6057f21 #xaf3dd956)
  (fftwf_codelet_t2bv_16_avx 0 #x11048 #x11048 #x0 #xc47e42b0 #xa8ab65a3 #x145ae5f2 #x67aabf1e)
  (fftwf_dft_vrank_geq1_register 1 #x11048 #x11048 #x0 #x92ea825a #x799df6e9 #x0e498f7a #x8101e6c3)
  (fftwf_codelet_n2fv_12_avx 0 #x11048 #x11048 #x0 #x86243790 #x9ee57508 #xc092ea92 #x5ed66ec5)
  (fftwf_codelet_t2fv_16_avx 0 #x11048 #x11048 #x0 #xa6995dcd #x4b1394cb #x353b69a6 #x16c8e0e5)
  (fftwf_codelet_t3fv_16_avx 0 #x11048 #x11048 #x0 #x0c3d0059 #xb89898ae #xe6b3568a #xc86cda94)
  (fftwf_codelet_t1fv_15_avx 0 #x11048 #x11048 #x0 #xddac9dd1 #xe3527024 #x70e8875b #x5645b834)
  (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #x8397a83f #xbecb4435 #x17ba9d84 #x8f3c2104)
)
)wisdom";

}  // namespace tactus
