// FFTW wisdom for the feature extractor's FFTs, 2304 and 2880 points, both
// directions (see fft_plans.hpp), as tactus-fft-wisdom (tools/fft) printed
// it with Debian 12's libfftw3f 3.3.10 on an Intel Xeon (Sapphire Rapids;
// Debian's FFTW has codelets up to AVX).
#include "fft_plans.hpp"

namespace tactus {

const char* const kFftWisdom = R"wisdom((fftw-3.3.10 fftwf_wisdom #x9e7d4dee #xdb14fed1 #x34bf76a4 #xeb6e8fdf
  (fftwf_codelet_t1fv_12_avx 0 #x11048 #x11048 #x0 #x09d2067e #xe82dea8f #x98ae3544 #x372f7834)
  (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #xa413680c #x849276ee #x529854a6 #xacee5cce)
  (fftwf_codelet_t1bv_12_avx 0 #x11048 #x11048 #x0 #x2082fc47 #x629b6490 #x93635889 #x2c809cc3)
  (fftwf_codelet_n2fv_12_avx 0 #x11048 #x11048 #x0 #x5735237b #x596c8bf3 #xfd100d17 #x879c9ffd)
  (fftwf_codelet_t2fv_16_avx 0 #x11048 #x11048 #x0 #x2e820134 #xafe0b76f #x3320915e #xb23ad24e)
  (fftwf_codelet_t2bv_16_avx 0 #x11048 #x11048 #x0 #x9796e88c #x078e43ac #xaebf0b40 #x189f4739)
  (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #xf65f79f4 #x52391680 #x337c0fad #xdd7d9b27)
  (fftwf_codelet_n2bv_12_avx 0 #x11048 #x11048 #x0 #x20ae0d8b #xac9e1580 #xe98915b3 #x24d06221)
  (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #xca7e8d11 #x5f76d876 #x113bf1d9 #xc1d4d41e)
  (fftwf_codelet_n2bv_12_avx 0 #x11048 #x11048 #x0 #xac436dea #xbbf0a0dc #xae08bf3a #xfd4c3d97)
  (fftwf_codelet_n2fv_12_avx 0 #x11048 #x11048 #x0 #x15ab7c86 #x63cd8a88 #xb57786b1 #x6534bf42)
  (fftwf_codelet_t2fv_20_avx 0 #x11048 #x11048 #x0 #xd51295a3 #xd7920b5d #x574a8a3a #x18ab4f23)
  (fftwf_codelet_t1fv_12_avx 0 #x11048 #x11048 #x0 #xd239b888 #x746a5794 #x61cfea6a #x1a6dee78)
  (fftwf_codelet_t2bv_20_avx 0 #x11048 #x11048 #x0 #x7ef8dd00 #x57b611df #x5d37c011 #xfc46b65a)
  (fftwf_dft_vrank_geq1_register 0 #x11048 #x11048 #x0 #xcb7a98a0 #xa375679f #x24c96664 #x4c806d77)
  (fftwf_codelet_t1bv_12_avx 0 #x11048 #x11048 #x0 #xc5a17637 #xfeb46782 #x727b28c7 #xc45c13df)
)
)wisdom";

}  // namespace tactus
