/* ixpready._kernels: annotating an address the first time in a run. See _kernels.c for what
 * a kernel promises.
 *
 * trusted_discs: `enrichment.annotate._trusted_discs` (the discs `Annotator.discs` gives
 *                `locate`: each trusted vantage with coordinates and its smallest RTT);
 * disc_bounds:   `enrichment.annotate._disc_bounds` (what each disc of `locate` rules out
 *                and says, without pings).
 */
#include "_kernels.h"

static PyObject *s_trusted, *s_latitude, *s_longitude, *s_country, *s_uncertainty_km, *s_serial,
    *s_probe;

/* trusted_discs(observed, vantages) -> tuple | None
 *
 * The twin of `annotate._trusted_discs` for `observed` None or a dict and `vantages` a dict:
 * per (probe, RTT) of `observed` in its order, (vantage, RTT) when `vantages` holds the
 * probe and its vantage is trusted (read and tested as Python does, `trusted` first) and
 * has a latitude. Declines (None) any other mapping.
 */
static PyObject *
trusted_discs(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "trusted_discs(observed, vantages) takes two arguments");
        return NULL;
    }
    PyObject *observed = args[0], *vantages = args[1];
    if (!PyDict_CheckExact(vantages) || (observed != Py_None && !PyDict_CheckExact(observed))) {
        Py_RETURN_NONE;
    }
    if (observed == Py_None || PyDict_GET_SIZE(observed) == 0) {
        return PyTuple_New(0);
    }
    PyObject *out = PyList_New(0);
    if (out == NULL) {
        return NULL;
    }
    /* The dict is only read here (no Python code runs that could change it but the
     * attribute reads of a vantage; a change of size makes the loop stop with an error,
     * as Python's iteration does). */
    Py_ssize_t size = PyDict_GET_SIZE(observed);
    Py_ssize_t position = 0;
    PyObject *prb, *rtt;
    while (PyDict_Next(observed, &position, &prb, &rtt)) {
        Py_INCREF(prb);
        Py_INCREF(rtt);
        PyObject *vantage = PyDict_GetItemWithError(vantages, prb); /* borrowed */
        Py_DECREF(prb);
        if (vantage == NULL) {
            Py_DECREF(rtt);
            if (PyErr_Occurred()) {
                goto error;
            }
            continue;
        }
        Py_INCREF(vantage);
        int keep = 0;
        if (vantage != Py_None) {
            PyObject *trusted = PyObject_GetAttr(vantage, s_trusted);
            if (trusted == NULL) {
                Py_DECREF(vantage);
                Py_DECREF(rtt);
                goto error;
            }
            int truth = PyObject_IsTrue(trusted);
            Py_DECREF(trusted);
            if (truth < 0) {
                Py_DECREF(vantage);
                Py_DECREF(rtt);
                goto error;
            }
            if (truth) {
                PyObject *latitude = PyObject_GetAttr(vantage, s_latitude);
                if (latitude == NULL) {
                    Py_DECREF(vantage);
                    Py_DECREF(rtt);
                    goto error;
                }
                keep = latitude != Py_None;
                Py_DECREF(latitude);
            }
        }
        if (keep) {
            PyObject *pair = PyTuple_Pack(2, vantage, rtt);
            if (pair == NULL || PyList_Append(out, pair) < 0) {
                Py_XDECREF(pair);
                Py_DECREF(vantage);
                Py_DECREF(rtt);
                goto error;
            }
            Py_DECREF(pair);
        }
        Py_DECREF(vantage);
        Py_DECREF(rtt);
        if (PyDict_GET_SIZE(observed) != size) {
            PyErr_SetString(PyExc_RuntimeError, "dictionary changed size during iteration");
            goto error;
        }
    }
    PyObject *result = PyList_AsTuple(out);
    Py_DECREF(out);
    return result;
error:
    Py_DECREF(out);
    return NULL;
}

/* Reads attribute `name` of `object` into `*value` (a new reference). Returns 0 on a
 * Python error. */
static int
read_attr(PyObject *object, PyObject *name, PyObject **value)
{
    *value = PyObject_GetAttr(object, name);
    return *value != NULL;
}

/* disc_bounds(discs, near, interesting, km_per_ms, vantage_type) -> (codes, said) | None
 *
 * The twin of `annotate._disc_bounds(discs, near, interesting, places)` when every vantage
 * with coordinates and a country already has its `_Near` in `near` (an exact dict keyed by
 * (latitude, longitude, country), `annotate.NearTable`)
 * with a margin for every code of `interesting` (a set): `codes`, each code of `interesting`
 * a disc rules out (in the order the loops meet them, repeats kept), and `said`, per disc
 * that bounds the address (index, reach in km, 1: nearer than any place abroad, 2: than any
 * hub abroad). RTTs, uncertainties, distances and margins exact floats (margins also None),
 * anything else declines (None), as does a `_Near` or margin not yet
 * worked out (the reference works it out). Of a vantage of exactly `vantage_type`
 * (`Vantage`, whose `country` is its probe's) the country is read from the probe; any other
 * vantage declines.
 */
static PyObject *
disc_bounds(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "disc_bounds(discs, near, interesting, km_per_ms, "
                                         "vantage_type) takes five arguments");
        return NULL;
    }
    PyObject *discs = args[0], *near = args[1], *interesting = args[2], *vantage_type = args[4];
    if (!PyType_Check(vantage_type) || !PyTuple_CheckExact(discs) || !PyDict_CheckExact(near) || !PyFloat_CheckExact(args[3])
        || !(PySet_CheckExact(interesting) || PyFrozenSet_CheckExact(interesting))) {
        Py_RETURN_NONE;
    }
    double km_per_ms = PyFloat_AS_DOUBLE(args[3]);
    PyObject *codes = PyList_New(0), *said = PyList_New(0), *result = NULL;
    PyObject *vantage = NULL, *latitude = NULL, *longitude = NULL, *country = NULL;
    PyObject *uncertainty = NULL, *serial = NULL;
    if (codes == NULL || said == NULL) {
        goto error;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(discs);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *disc = PyTuple_GET_ITEM(discs, i);
        if (!PyTuple_CheckExact(disc) || PyTuple_GET_SIZE(disc) != 2) {
            goto decline;
        }
        vantage = PyTuple_GET_ITEM(disc, 0);
        Py_INCREF(vantage);
        PyObject *rtt = PyTuple_GET_ITEM(disc, 1);
        if (!PyFloat_CheckExact(rtt) || (PyObject *)Py_TYPE(vantage) != vantage_type) {
            goto decline;
        }
        /* As the reference reads them: latitude, longitude, country, in that order. */
        if (!read_attr(vantage, s_latitude, &latitude)) {
            goto error;
        }
        if (latitude != Py_None) {
            if (!read_attr(vantage, s_longitude, &longitude)) {
                goto error;
            }
            if (longitude != Py_None) {
                PyObject *probe;
                if (!read_attr(vantage, s_probe, &probe)) {
                    goto error;
                }
                int read = read_attr(probe, s_country, &country);
                Py_DECREF(probe);
                if (!read) {
                    goto error;
                }
            }
        }
        if (latitude == Py_None || longitude == Py_None || country == Py_None) {
            Py_CLEAR(vantage);
            Py_CLEAR(latitude);
            Py_CLEAR(longitude);
            Py_CLEAR(country);
            continue;
        }
        if (!read_attr(vantage, s_uncertainty_km, &uncertainty)) {
            goto error;
        }
        if (!PyFloat_CheckExact(uncertainty)) {
            goto decline;
        }
        serial = PyTuple_Pack(3, latitude, longitude, country); /* the NearTable key */
        if (serial == NULL) {
            goto error;
        }
        double value = PyFloat_AS_DOUBLE(rtt);
        double reach = (value > 0.0 ? value * km_per_ms : 0.0) + PyFloat_AS_DOUBLE(uncertainty);
        PyObject *facts = PyDict_GetItemWithError(near, serial); /* borrowed; `serial`: the key */
        if (facts == NULL) {
            if (PyErr_Occurred()) {
                goto error;
            }
            goto decline; /* not worked out yet: the reference does it */
        }
        if (!PyTuple_Check(facts) || PyTuple_GET_SIZE(facts) != 3) {
            goto decline;
        }
        PyObject *nearest_any = PyTuple_GET_ITEM(facts, 0), *nearest_hub = PyTuple_GET_ITEM(facts, 1);
        PyObject *margins = PyTuple_GET_ITEM(facts, 2);
        if (!PyFloat_CheckExact(nearest_any) || !PyFloat_CheckExact(nearest_hub)
            || !PyDict_CheckExact(margins)) {
            goto decline;
        }
        Py_ssize_t position = 0;
        PyObject *code;
        Py_hash_t hash;
        while (_PySet_NextEntry(interesting, &position, &code, &hash)) {
            PyObject *margin = PyDict_GetItemWithError(margins, code); /* borrowed */
            if (margin == NULL) {
                if (PyErr_Occurred()) {
                    goto error;
                }
                goto decline;
            }
            if (margin == Py_None) {
                continue;
            }
            if (!PyFloat_CheckExact(margin)) {
                goto decline;
            }
            if (PyFloat_AS_DOUBLE(margin) > reach && PyList_Append(codes, code) < 0) {
                goto error;
            }
        }
        int kind = reach < PyFloat_AS_DOUBLE(nearest_any)   ? 1
                   : reach < PyFloat_AS_DOUBLE(nearest_hub) ? 2
                                                            : 0;
        if (kind) {
            PyObject *entry = Py_BuildValue("(ndi)", i, reach, kind);
            if (entry == NULL || PyList_Append(said, entry) < 0) {
                Py_XDECREF(entry);
                goto error;
            }
            Py_DECREF(entry);
        }
        Py_CLEAR(vantage);
        Py_CLEAR(latitude);
        Py_CLEAR(longitude);
        Py_CLEAR(country);
        Py_CLEAR(uncertainty);
        Py_CLEAR(serial);
    }
    result = PyTuple_Pack(2, codes, said);
    goto done;
decline:
    Py_INCREF(Py_None);
    result = Py_None;
    goto done;
error:
    result = NULL;
done:
    Py_XDECREF(codes);
    Py_XDECREF(said);
    Py_XDECREF(vantage);
    Py_XDECREF(latitude);
    Py_XDECREF(longitude);
    Py_XDECREF(country);
    Py_XDECREF(uncertainty);
    Py_XDECREF(serial);
    return result;
}

PyMethodDef ixpready_walk_methods[] = {
    {"trusted_discs", (PyCFunction)(void (*)(void))trusted_discs, METH_FASTCALL,
     "trusted_discs(observed, vantages): annotate._trusted_discs, or None."},
    {"disc_bounds", (PyCFunction)(void (*)(void))disc_bounds, METH_FASTCALL,
     "disc_bounds(discs, near, interesting, km_per_ms, vantage_type): annotate._disc_bounds, "
     "or None."},
    {NULL, NULL, 0, NULL},
};

int
ixpready_walk_init(void)
{
    struct {
        PyObject **slot;
        const char *text;
    } names[] = {
        {&s_trusted, "trusted"}, {&s_latitude, "latitude"}, {&s_longitude, "longitude"},
        {&s_country, "country"}, {&s_uncertainty_km, "uncertainty_km"}, {&s_serial, "serial"},
        {&s_probe, "probe"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (*names[i].slot == NULL) {
            *names[i].slot = PyUnicode_InternFromString(names[i].text);
            if (*names[i].slot == NULL) {
                return -1;
            }
        }
    }
    return 0;
}
