#ifndef DMA_CNUMERICS_SHIM_H
#define DMA_CNUMERICS_SHIM_H

// Only GSL's headers are included: OpenBLAS's cblas.h redefines the same CBLAS_* enums.
// gsl_cblas.h declares cblas_sgemm/dgemm/dgemv with the standard ABI; the symbols resolve to OpenBLAS.
// Only what Numerics calls is included: errno, rng + randist, cdf (normal quantile), statistics, matrix/vector, linalg, multifit.
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_cblas.h>

// OpenBLAS extensions, declared here rather than by including OpenBLAS's cblas.h.
void openblas_set_num_threads(int num_threads);
char *openblas_get_config(void);

// Swift 6 rejects direct references to mutable C globals; these accessors are safe.
static inline const gsl_rng_type *dma_rng_mt19937(void) { return gsl_rng_mt19937; }

#endif
