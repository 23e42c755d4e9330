/* ixpready._kernels: compiled forms of a few hot loops, each the exact twin of a Python
 * function that stays the reference (see kernels.py, which loads this module or does without).
 *
 * Every kernel takes and returns plain Python objects, keeps the objects it was given (the
 * same int, str and float objects), and returns None wherever its input is not the common
 * case it was written for: the Python reference then does the whole job, so a kernel never
 * has to get an unusual case right. tests/test_kernels.py runs each kernel and its reference
 * on every recorded fixture, the demo and generated input, and compares.
 */
#include "_kernels.h"

#ifndef IXPREADY_KERNELS_SOURCE
#define IXPREADY_KERNELS_SOURCE "unknown"
#endif

static PyObject *s_hop, *s_result, *s_inherited, *s_address, *s_x, *s_rtt, *s_dup, *s_late,
    *s_edst, *s_star, *s_empty;

/* How a hop's replies read in the common case: at most one address text answered. */
typedef struct {
    PyObject *text; /* the one address text (a new reference), or NULL when none answered */
    PyObject *best; /* its smallest usable RTT (a new reference to a float), or NULL */
} HopScan;

/* Returns 1 when `a` and `b`, two exact str objects, are equal. */
static int
same_text(PyObject *a, PyObject *b)
{
    if (a == b) {
        return 1;
    }
    if (PyUnicode_GET_LENGTH(a) != PyUnicode_GET_LENGTH(b)) {
        return 0;
    }
    return PyUnicode_Compare(a, b) == 0;
}

/* Reads one hop's replies into `scan`. Returns 1 when done, 0 to decline (the Python
 * reference reads the record), -1 on a Python error. */
static int
scan_replies(PyObject *result, PyObject *unset, HopScan *scan)
{
    Py_ssize_t count = PyList_GET_SIZE(result);
    for (Py_ssize_t j = 0; j < count; j++) {
        PyObject *packet = PyList_GET_ITEM(result, j);
        PyObject *text = PyObject_GetAttr(packet, s_address);
        if (text == NULL) {
            return -1;
        }
        if (text == unset) { /* no address: only a `*` (a reply that never came) is read */
            Py_DECREF(text);
            PyObject *x = PyObject_GetAttr(packet, s_x);
            if (x == NULL) {
                return -1;
            }
            int star = PyUnicode_CheckExact(x) && same_text(x, s_star);
            Py_DECREF(x);
            if (!star) {
                return 0;
            }
            continue;
        }
        PyObject *edst = PyObject_GetAttr(packet, s_edst);
        if (edst == NULL) {
            Py_DECREF(text);
            return -1;
        }
        int quoted = edst != Py_None; /* a quoted destination: left to the reference */
        Py_DECREF(edst);
        if (quoted) {
            Py_DECREF(text);
            return 0;
        }
        if (text == Py_None || (PyUnicode_CheckExact(text) && PyUnicode_GET_LENGTH(text) == 0)) {
            Py_DECREF(text); /* a reply without an address */
            continue;
        }
        if (!PyUnicode_CheckExact(text)) {
            Py_DECREF(text);
            return 0;
        }
        PyObject *dup = PyObject_GetAttr(packet, s_dup);
        if (dup == NULL) {
            Py_DECREF(text);
            return -1;
        }
        PyObject *late = PyObject_GetAttr(packet, s_late);
        if (late == NULL) {
            Py_DECREF(dup);
            Py_DECREF(text);
            return -1;
        }
        int unusable = dup == Py_True || late != Py_None; /* `Reply.usable_rtt_ms` */
        int odd = (dup != Py_True && dup != Py_False && dup != Py_None);
        Py_DECREF(dup);
        Py_DECREF(late);
        if (odd) {
            Py_DECREF(text);
            return 0;
        }
        PyObject *rtt = NULL;
        if (!unusable) {
            rtt = PyObject_GetAttr(packet, s_rtt);
            if (rtt == NULL) {
                Py_DECREF(text);
                return -1;
            }
            if (rtt == Py_None) {
                Py_CLEAR(rtt);
            }
            else if (!PyFloat_CheckExact(rtt)) {
                Py_DECREF(rtt);
                Py_DECREF(text);
                return 0;
            }
        }
        if (scan->text == NULL) {
            scan->text = text; /* the reference passes to the scan */
            scan->best = rtt;
            continue;
        }
        if (!same_text(text, scan->text)) { /* a second address at this hop */
            Py_DECREF(text);
            Py_XDECREF(rtt);
            return 0;
        }
        Py_DECREF(text);
        if (rtt != NULL) {
            if (scan->best == NULL || PyFloat_AS_DOUBLE(rtt) < PyFloat_AS_DOUBLE(scan->best)) {
                Py_XSETREF(scan->best, rtt);
            }
            else {
                Py_DECREF(rtt);
            }
        }
    }
    return 1;
}

/* scan_hops(entries, unset) -> (hop numbers, address texts, RTTs, inherited flags) | None
 *
 * The twin of the reply loop of `measurements.parse._route` for a record whose every hop
 * has a number in 1..255 and replies, each an answer or a `*`, no quoted destination, and at
 * most one address text answering: per hop, the number, the text ("" for a silent hop), its
 * smallest usable RTT (None without one) and the hop's `inherited` flag. None otherwise.
 */
static PyObject *
scan_hops(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "scan_hops(entries, unset) takes two arguments");
        return NULL;
    }
    PyObject *entries = args[0], *unset = args[1];
    if (!PyList_CheckExact(entries) || PyList_GET_SIZE(entries) == 0) {
        Py_RETURN_NONE;
    }
    Py_ssize_t n = PyList_GET_SIZE(entries);
    PyObject *numbers = PyTuple_New(n), *texts = PyTuple_New(n), *rtts = PyTuple_New(n),
             *inherited = PyTuple_New(n);
    if (numbers == NULL || texts == NULL || rtts == NULL || inherited == NULL) {
        goto error;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *entry = PyList_GET_ITEM(entries, i);
        PyObject *hop = PyObject_GetAttr(entry, s_hop);
        if (hop == NULL) {
            goto error;
        }
        PyTuple_SET_ITEM(numbers, i, hop);
        if (!PyLong_CheckExact(hop)) {
            goto decline;
        }
        int overflow = 0;
        long number = PyLong_AsLongAndOverflow(hop, &overflow);
        if (number == -1 && PyErr_Occurred()) {
            goto error;
        }
        if (overflow || number < 1 || number > 255) {
            goto decline;
        }
        PyObject *result = PyObject_GetAttr(entry, s_result);
        if (result == NULL) {
            goto error;
        }
        if (!PyList_CheckExact(result) || PyList_GET_SIZE(result) == 0) {
            Py_DECREF(result);
            goto decline;
        }
        HopScan scan = {NULL, NULL};
        int done = scan_replies(result, unset, &scan);
        Py_DECREF(result);
        if (done != 1) {
            Py_XDECREF(scan.text);
            Py_XDECREF(scan.best);
            if (done < 0) {
                goto error;
            }
            goto decline;
        }
        if (scan.text == NULL) {
            Py_INCREF(s_empty);
            scan.text = s_empty;
        }
        if (scan.best == NULL) {
            Py_INCREF(Py_None);
            scan.best = Py_None;
        }
        PyTuple_SET_ITEM(texts, i, scan.text);
        PyTuple_SET_ITEM(rtts, i, scan.best);
        PyObject *flag = PyObject_GetAttr(entry, s_inherited);
        if (flag == NULL) {
            goto error;
        }
        PyTuple_SET_ITEM(inherited, i, flag);
    }
    PyObject *packed = PyTuple_Pack(4, numbers, texts, rtts, inherited);
    Py_DECREF(numbers);
    Py_DECREF(texts);
    Py_DECREF(rtts);
    Py_DECREF(inherited);
    return packed;
decline:
    Py_XDECREF(numbers);
    Py_XDECREF(texts);
    Py_XDECREF(rtts);
    Py_XDECREF(inherited);
    Py_RETURN_NONE;
error:
    Py_XDECREF(numbers);
    Py_XDECREF(texts);
    Py_XDECREF(rtts);
    Py_XDECREF(inherited);
    return NULL;
}

/* set_fields(obj, names, values) -> obj: `object.__setattr__(obj, name, value)` for each name
 * and value, in order (the generic setter: a frozen dataclass's own __setattr__ is bypassed, as
 * `object.__setattr__` bypasses it); the twin of `measurements.records.set_fields`. */
static PyObject *
set_fields(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "set_fields(obj, names, values) takes three arguments");
        return NULL;
    }
    PyObject *obj = args[0], *names = args[1], *values = args[2];
    if (!PyTuple_CheckExact(names) || !PyTuple_CheckExact(values)
        || PyTuple_GET_SIZE(names) != PyTuple_GET_SIZE(values)) {
        PyErr_SetString(PyExc_TypeError, "set_fields: names and values are tuples of one length");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        if (!PyUnicode_CheckExact(name)) {
            PyErr_SetString(PyExc_TypeError, "set_fields: a name is not a str");
            return NULL;
        }
        if (PyObject_GenericSetAttr(obj, name, PyTuple_GET_ITEM(values, i)) < 0) {
            return NULL;
        }
    }
    Py_INCREF(obj);
    return obj;
}

static PyMethodDef kernel_methods[] = {
    {"set_fields", (PyCFunction)(void (*)(void))set_fields, METH_FASTCALL,
     "set_fields(obj, names, values): object.__setattr__ of each name and value; returns obj."},
    {"scan_hops", (PyCFunction)(void (*)(void))scan_hops, METH_FASTCALL,
     "scan_hops(entries, unset): the reply loop of measurements.parse._route, or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef kernel_module = {
    PyModuleDef_HEAD_INIT, "ixpready._kernels",
    "Compiled twins of a few hot loops of ixpready (see ixpready.kernels).", -1, kernel_methods,
};

PyMODINIT_FUNC
PyInit__kernels(void)
{
    struct {
        PyObject **slot;
        const char *text;
    } names[] = {
        {&s_hop, "hop"},   {&s_result, "result"}, {&s_inherited, "inherited"},
        {&s_address, "address"}, {&s_x, "x"}, {&s_rtt, "rtt"}, {&s_dup, "dup"},
        {&s_late, "late"}, {&s_edst, "edst"}, {&s_star, "*"}, {&s_empty, ""},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (*names[i].slot == NULL) {
            *names[i].slot = PyUnicode_InternFromString(names[i].text);
            if (*names[i].slot == NULL) {
                return NULL;
            }
        }
    }
    if (ixpready_gather_init() < 0 || ixpready_judge_init() < 0 || ixpready_read_init() < 0
        || ixpready_geo_init() < 0 || ixpready_walk_init() < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&kernel_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddFunctions(module, ixpready_gather_methods) < 0
        || PyModule_AddFunctions(module, ixpready_judge_methods) < 0
        || PyModule_AddFunctions(module, ixpready_read_methods) < 0
        || PyModule_AddFunctions(module, ixpready_geo_methods) < 0
        || PyModule_AddFunctions(module, ixpready_walk_methods) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    if (PyModule_AddStringConstant(module, "SOURCE_SHA256", IXPREADY_KERNELS_SOURCE) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
