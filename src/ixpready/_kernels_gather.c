/* ixpready._kernels: the gathering pass of the analysis (what judging needs across results). See _kernels.c for what a kernel promises. */
#include "_kernels.h"

PyMethodDef ixpready_gather_methods[] = {
    {NULL, NULL, 0, NULL},
};

int
ixpready_gather_init(void)
{
    return 0;
}
