/* Declarations shared by the sources of ixpready._kernels (see _kernels.c).
 *
 * Each source other than _kernels.c holds one group of kernels: a method table, ended by a
 * {NULL} entry, and an init function run once when the module loads (interning the attribute
 * names it reads; returns -1 with a Python error set on failure). _kernels.c adds every
 * group's functions to the module.
 */
#ifndef IXPREADY_KERNELS_H
#define IXPREADY_KERNELS_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* _kernels_gather.c: the gathering pass of the analysis (what judging needs across results). */
extern PyMethodDef ixpready_gather_methods[];
int ixpready_gather_init(void);

/* _kernels_judge.c: judging one path. */
extern PyMethodDef ixpready_judge_methods[];
int ixpready_judge_init(void);

/* _kernels_geo.c: distances on the globe. `ixpready_haversine_km` is refdata.gazetteer's
 * haversine to the bit; `ixpready_haversine_parts` the same from the latitudes in radians and
 * their cosines (worked out once per point by a caller comparing many points). */
double ixpready_haversine_km(double lat1, double lon1, double lat2, double lon2);
/* A coordinate as math reads it (an exact float, or an int): 1, or 0 with a TypeError set. */
int ixpready_as_double(PyObject *value, double *out);
double ixpready_haversine_parts(double p1, double cos1, double lon1, double p2, double cos2,
                                double lon2, double earth_km);
extern PyMethodDef ixpready_geo_methods[];
int ixpready_geo_init(void);

/* _kernels_walk.c: annotating an address the first time in a run. */
extern PyMethodDef ixpready_walk_methods[];
int ixpready_walk_init(void);

/* _kernels_read.c: reading results. */
extern PyMethodDef ixpready_read_methods[];
int ixpready_read_init(void);

#endif
