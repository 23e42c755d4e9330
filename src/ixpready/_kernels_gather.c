/* ixpready._kernels: the gathering pass of the analysis (what judging needs across results). See _kernels.c for what a kernel promises.
 *
 * observe_numbered  the loops of `enrichment.annotate.observe` (routes of one address per hop)
 * access_best       the group loop of `analysis.tromboning.access_delay_ms`
 * alike_keyed       `analysis.core.alike_keyed`
 * probe_tallies     the reply loop of `analysis.probecheck.check_probes`
 * mutual_conflicts  the disc loop of `analysis.probecheck.mutual_contradictions`
 *
 * Distances and radii are worked out with the very operations of their Python references
 * (`refdata.gazetteer.distance_km`, `enrichment.geo.radius_km`): the same libm functions on
 * the same doubles, never contracted into fused multiply-adds, so the values are the same.
 * A point whose coordinates are not finite is declined (`math.sin` raises on an infinity).
 */
#include "_kernels.h"

#include <math.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

static PyObject *g__route, *g__stop_rtts, *g__numbers, *g_route, *g_stop_rtts, *g_key, *g_prb_id, *g_one_per_hop, *g_numbers, *g_stops,
    *g_af, *g_address_keys, *g_serial, *g_vantage, *g_origin, *g_error, *g_is_private;

/* Returns item `position` of a list or tuple (borrowed), or NULL (no error set) when the
 * position is not a plain index in range: the caller declines. */
static PyObject *
item_at(PyObject *sequence, PyObject *position)
{
    if (!PyLong_CheckExact(position)) {
        return NULL;
    }
    Py_ssize_t index = PyLong_AsSsize_t(position);
    if (index == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return NULL;
    }
    if (index < 0 || index >= PySequence_Fast_GET_SIZE(sequence)) {
        return NULL;
    }
    return PySequence_Fast_GET_ITEM(sequence, index);
}

static int
list_or_tuple(PyObject *object)
{
    return PyList_CheckExact(object) || PyTuple_CheckExact(object);
}

/* `trace.key.prb_id` (a new reference), or NULL with an error set. */
static PyObject *
prb_of(PyObject *trace)
{
    PyObject *key = PyObject_GetAttr(trace, g_key);
    if (key == NULL) {
        return NULL;
    }
    PyObject *prb = PyObject_GetAttr(key, g_prb_id);
    Py_DECREF(key);
    return prb;
}

/* A route of one address per hop, numbered by its reader: its stops and numbers (new
 * references, tuples of one length). Returns 1 when so, 0 to decline, -1 on error. */
static int
numbered_route(PyObject *route, PyObject **stops, PyObject **numbers)
{
    *stops = *numbers = NULL;
    PyObject *one = PyObject_GetAttr(route, g_one_per_hop);
    if (one == NULL) {
        return -1;
    }
    int single = one == Py_True;
    Py_DECREF(one);
    if (!single) {
        return 0;
    }
    *numbers = PyObject_GetAttr(route, g_numbers);
    if (*numbers == NULL) {
        return -1;
    }
    *stops = PyObject_GetAttr(route, g_stops);
    if (*stops == NULL) {
        Py_CLEAR(*numbers);
        return -1;
    }
    if (!PyTuple_CheckExact(*numbers) || !PyTuple_CheckExact(*stops)
        || PyTuple_GET_SIZE(*numbers) != PyTuple_GET_SIZE(*stops)) {
        Py_CLEAR(*numbers);
        Py_CLEAR(*stops);
        return 0;
    }
    return 1;
}

/* A stop (hop number, address, inherited) as the references unpack it; NULL to decline. */
static PyObject *
stop_at(PyObject *stops, Py_ssize_t index)
{
    PyObject *stop = PyTuple_GET_ITEM(stops, index);
    if (!PyTuple_CheckExact(stop) || PyTuple_GET_SIZE(stop) != 3) {
        return NULL;
    }
    return stop;
}

/* `trace.<method>()` of a method that returns the slot `kept` once set (`Trace.route` returns
 * `_route`, `stop_rtts` `_stop_rtts`, `address_keys` `_numbers`): read from the slot when
 * `trace` is of `trace_type` (`Trace`) and the slot is set, else called. A new reference. */
static PyObject *
kept_or_called(PyObject *trace, PyObject *trace_type, PyObject *kept, PyObject *method)
{
    if (Py_IS_TYPE(trace, (PyTypeObject *)trace_type)) {
        PyObject *found = PyObject_GetAttr(trace, kept);
        if (found == NULL) {
            return NULL;
        }
        if (found != Py_None) {
            return found;
        }
        Py_DECREF(found);
    }
    return PyObject_CallMethodNoArgs(trace, method);
}

/* `trace.route()` (a new reference). */
static PyObject *
route_of(PyObject *trace, PyObject *trace_type)
{
    return kept_or_called(trace, trace_type, g__route, g_route);
}

/* The stop RTTs of a trace (a new reference to a tuple of `size` items), or NULL: with an
 * error set on error, else to decline. */
static PyObject *
stop_rtts_of(PyObject *trace, PyObject *trace_type, Py_ssize_t size)
{
    PyObject *rtts = kept_or_called(trace, trace_type, g__stop_rtts, g_stop_rtts);
    if (rtts == NULL) {
        return NULL;
    }
    if (!PyTuple_CheckExact(rtts) || (size >= 0 && PyTuple_GET_SIZE(rtts) != size)) {
        Py_DECREF(rtts);
        return NULL;
    }
    return rtts;
}

/* ---------------------------------------------------------------------------------------- */
/* observe_numbered */

/* Adds one sighting to `by_number` (number -> (address, {prb: rtt})) as `observe` does. */
static int
sight(PyObject *by_number, PyObject *number, PyObject *address, PyObject *prb, PyObject *rtt)
{
    PyObject *entry = PyDict_GetItemWithError(by_number, number);
    if (entry == NULL) {
        if (PyErr_Occurred()) {
            return -1;
        }
        PyObject *per_probe = PyDict_New();
        if (per_probe == NULL) {
            return -1;
        }
        if (PyDict_SetItem(per_probe, prb, rtt) < 0) {
            Py_DECREF(per_probe);
            return -1;
        }
        PyObject *pair = PyTuple_Pack(2, address, per_probe);
        Py_DECREF(per_probe);
        if (pair == NULL) {
            return -1;
        }
        int done = PyDict_SetItem(by_number, number, pair);
        Py_DECREF(pair);
        return done;
    }
    PyObject *per_probe = PyTuple_GET_ITEM(entry, 1);
    PyObject *old = PyDict_GetItemWithError(per_probe, prb);
    if (old == NULL && PyErr_Occurred()) {
        return -1;
    }
    double bound = old == NULL ? INFINITY : PyFloat_AS_DOUBLE(old); /* only floats go in */
    if (PyFloat_AS_DOUBLE(rtt) < bound) {
        return PyDict_SetItem(per_probe, prb, rtt);
    }
    return 0;
}

/* One group of traces (`positions`) along a numbered route of one address per hop.
 * Returns 1 when added, 0 to decline, -1 on error. */
static int
observe_group(PyObject *traces, PyObject *positions, PyObject *by_number, PyObject *trace_type)
{
    if (!PyList_CheckExact(positions) || PyList_GET_SIZE(positions) == 0) {
        return 0;
    }
    Py_ssize_t count = PyList_GET_SIZE(positions);
    PyObject *head = item_at(traces, PyList_GET_ITEM(positions, 0));
    if (head == NULL) {
        return 0;
    }
    PyObject *route = route_of(head, trace_type);
    if (route == NULL) {
        return -1;
    }
    PyObject *stops, *numbers;
    int usable = numbered_route(route, &stops, &numbers);
    Py_DECREF(route);
    if (usable <= 0) {
        return usable;
    }
    int outcome = -1;
    Py_ssize_t size = PyTuple_GET_SIZE(stops);
    PyObject **vectors = NULL;
    Py_ssize_t made = 0;
    PyObject *prb = prb_of(head);
    if (prb == NULL) {
        goto done;
    }
    if (!PyLong_CheckExact(prb)) {
        outcome = 0;
        goto done;
    }
    vectors = PyMem_Calloc((size_t)count, sizeof(PyObject *));
    if (vectors == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *trace = k == 0 ? head : item_at(traces, PyList_GET_ITEM(positions, k));
        if (trace == NULL) {
            outcome = 0;
            goto done;
        }
        vectors[k] = stop_rtts_of(trace, trace_type, size);
        if (vectors[k] == NULL) {
            outcome = PyErr_Occurred() ? -1 : 0;
            goto done;
        }
        made++;
    }
    for (Py_ssize_t index = 0; index < size; index++) {
        PyObject *number = PyTuple_GET_ITEM(numbers, index);
        PyObject *stop = stop_at(stops, index);
        if (stop == NULL || !PyLong_CheckExact(number)) {
            outcome = 0;
            goto done;
        }
        PyObject *address = PyTuple_GET_ITEM(stop, 1);
        PyObject *best = NULL;
        if (count == 1) { /* the single trace's own stop */
            best = PyTuple_GET_ITEM(vectors[0], index);
            if (address == Py_None || best == Py_None) {
                continue;
            }
            if (!PyFloat_CheckExact(best)) {
                outcome = 0;
                goto done;
            }
        }
        else {
            int truth = PyObject_IsTrue(number); /* `if not number: continue` */
            if (truth < 0) {
                goto done;
            }
            if (!truth) {
                continue;
            }
            for (Py_ssize_t k = 0; k < count; k++) { /* min(column), Nones left out */
                PyObject *rtt = PyTuple_GET_ITEM(vectors[k], index);
                if (rtt == Py_None) {
                    continue;
                }
                if (!PyFloat_CheckExact(rtt)) {
                    outcome = 0;
                    goto done;
                }
                if (best == NULL || PyFloat_AS_DOUBLE(rtt) < PyFloat_AS_DOUBLE(best)) {
                    best = rtt;
                }
            }
            if (best == NULL) {
                continue;
            }
            if (address == Py_None || PyTuple_GET_ITEM(vectors[0], index) == Py_None) {
                outcome = 0; /* first seen in a later trace: left to the reference */
                goto done;
            }
        }
        if (sight(by_number, number, address, prb, best) < 0) {
            goto done;
        }
    }
    outcome = 1;
done:
    for (Py_ssize_t k = 0; k < made; k++) {
        Py_DECREF(vectors[k]);
    }
    PyMem_Free(vectors);
    Py_XDECREF(prb);
    Py_DECREF(stops);
    Py_DECREF(numbers);
    return outcome;
}

/* observe_numbered(traces, ordered_groups, trace_type) -> {address: {prb: rtt}} | None
 *
 * The twin of `enrichment.annotate.observe` when every group's route has one address per
 * hop and its reader's numbers, each (address, probe) is first seen in its group's first
 * trace, and no two numbers stand for one address. None otherwise. */
static PyObject *
observe_numbered(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError,
                        "observe_numbered(traces, groups, trace_type) takes three arguments");
        return NULL;
    }
    PyObject *traces = args[0], *groups = args[1], *trace_type = args[2];
    if (!list_or_tuple(traces) || !list_or_tuple(groups) || !PyType_Check(trace_type)) {
        Py_RETURN_NONE;
    }
    PyObject *by_number = PyDict_New();
    if (by_number == NULL) {
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(groups);
    for (Py_ssize_t g = 0; g < count; g++) {
        int done = observe_group(traces, PySequence_Fast_GET_ITEM(groups, g), by_number, trace_type);
        if (done <= 0) {
            Py_DECREF(by_number);
            if (done < 0) {
                return NULL;
            }
            Py_RETURN_NONE;
        }
    }
    PyObject *seen = PyDict_New();
    if (seen == NULL) {
        Py_DECREF(by_number);
        return NULL;
    }
    Py_ssize_t at = 0;
    PyObject *number, *entry;
    while (PyDict_Next(by_number, &at, &number, &entry)) {
        if (PyDict_SetItem(seen, PyTuple_GET_ITEM(entry, 0), PyTuple_GET_ITEM(entry, 1)) < 0) {
            Py_DECREF(seen);
            Py_DECREF(by_number);
            return NULL;
        }
    }
    int same = PyDict_GET_SIZE(seen) == PyDict_GET_SIZE(by_number);
    Py_DECREF(by_number);
    if (!same) { /* two numbers for one address: the reference gathers by address */
        Py_DECREF(seen);
        Py_RETURN_NONE;
    }
    return seen;
}

/* ---------------------------------------------------------------------------------------- */
/* access_best */

/* `_first_isp_stop` on a numbered route of one address per hop: the index, or -1 when
 * none (a silent hop); -2 to decline, -3 on error. */
static Py_ssize_t
first_isp_stop(PyObject *stops, PyObject *numbers, PyObject *private)
{
    Py_ssize_t size = PyTuple_GET_SIZE(stops);
    for (Py_ssize_t index = 0; index < size; index++) {
        PyObject *stop = stop_at(stops, index);
        if (stop == NULL) {
            return -2;
        }
        PyObject *hop = PyTuple_GET_ITEM(stop, 0), *address = PyTuple_GET_ITEM(stop, 1);
        if (!PyLong_CheckExact(hop)) {
            return -2;
        }
        int overflow = 0;
        long number = PyLong_AsLongAndOverflow(hop, &overflow);
        if (number == -1 && PyErr_Occurred()) {
            return -3;
        }
        if (number == 1 && !overflow && address != Py_None) {
            PyObject *key = PyTuple_GET_ITEM(numbers, index);
            if (key == Py_None) {
                key = address;
            }
            PyObject *found = PyDict_GetItemWithError(private, key);
            if (found == NULL) {
                if (PyErr_Occurred()) {
                    return -3;
                }
                found = PyObject_GetAttr(address, g_is_private);
                if (found == NULL) {
                    return -3;
                }
                int stored = PyDict_SetItem(private, key, found);
                Py_DECREF(found); /* the dict holds it */
                if (stored < 0) {
                    return -3;
                }
            }
            int truth = PyObject_IsTrue(found);
            if (truth < 0) {
                return -3;
            }
            if (truth) {
                continue; /* the home gateway */
            }
        }
        return address == Py_None ? -1 : index;
    }
    return -1;
}

/* One group for `access_best`: 1 when done, 0 to decline, -1 on error. */
static int
access_group(PyObject *traces, PyObject *positions, PyObject *private, PyObject *best,
             PyObject *trace_type)
{
    if (!PyList_CheckExact(positions) || PyList_GET_SIZE(positions) == 0) {
        return 0;
    }
    PyObject *head = item_at(traces, PyList_GET_ITEM(positions, 0));
    if (head == NULL) {
        return 0;
    }
    PyObject *route = route_of(head, trace_type);
    if (route == NULL) {
        return -1;
    }
    PyObject *stops, *numbers;
    int usable = numbered_route(route, &stops, &numbers);
    Py_DECREF(route);
    if (usable <= 0) {
        return usable;
    }
    Py_ssize_t stop = first_isp_stop(stops, numbers, private);
    Py_DECREF(stops);
    Py_DECREF(numbers);
    if (stop < -1) {
        return stop == -2 ? 0 : -1;
    }
    if (stop == -1) {
        return 1;
    }
    PyObject *first = NULL; /* borrowed from a trace's stop RTTs, which the trace keeps */
    PyObject *kept = NULL;  /* the stop RTTs `first` is in */
    Py_ssize_t count = PyList_GET_SIZE(positions);
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *trace = item_at(traces, PyList_GET_ITEM(positions, k));
        if (trace == NULL) {
            Py_XDECREF(kept);
            return 0;
        }
        PyObject *rtts = stop_rtts_of(trace, trace_type, -1);
        if (rtts == NULL) {
            Py_XDECREF(kept);
            return PyErr_Occurred() ? -1 : 0;
        }
        PyObject *least = NULL; /* `_from(rtts, stop)` */
        for (Py_ssize_t index = stop; index < PyTuple_GET_SIZE(rtts); index++) {
            PyObject *rtt = PyTuple_GET_ITEM(rtts, index);
            if (rtt == Py_None) {
                continue;
            }
            if (!PyFloat_CheckExact(rtt)) {
                Py_DECREF(rtts);
                Py_XDECREF(kept);
                return 0;
            }
            if (least == NULL || PyFloat_AS_DOUBLE(rtt) < PyFloat_AS_DOUBLE(least)) {
                least = rtt;
            }
        }
        if (least != NULL && (first == NULL || PyFloat_AS_DOUBLE(least) < PyFloat_AS_DOUBLE(first))) {
            first = least;
            Py_XSETREF(kept, rtts);
        }
        else {
            Py_DECREF(rtts);
        }
    }
    if (first == NULL) {
        return 1;
    }
    int outcome = -1;
    PyObject *prb = prb_of(head), *af = NULL, *key = NULL;
    if (prb == NULL) {
        goto done;
    }
    af = PyObject_GetAttr(head, g_af);
    if (af == NULL) {
        goto done;
    }
    if (!PyLong_CheckExact(af)) {
        outcome = 0;
        goto done;
    }
    int overflow = 0;
    long family = PyLong_AsLongAndOverflow(af, &overflow);
    if (family == -1 && PyErr_Occurred()) {
        goto done;
    }
    key = Py_BuildValue("(Oi)", prb, (family == 4 && !overflow) ? 4 : 6);
    if (key == NULL) {
        goto done;
    }
    PyObject *old = PyDict_GetItemWithError(best, key);
    if (old == NULL && PyErr_Occurred()) {
        goto done;
    }
    /* min(best.get(key, first), first): the old value unless `first` is smaller */
    if (old == NULL || PyFloat_AS_DOUBLE(first) < PyFloat_AS_DOUBLE(old)) {
        if (PyDict_SetItem(best, key, first) < 0) {
            goto done;
        }
    }
    outcome = 1;
done:
    Py_XDECREF(key);
    Py_XDECREF(af);
    Py_XDECREF(prb);
    Py_XDECREF(kept);
    return outcome;
}

/* access_best(traces, groups, private, trace_type) -> {(prb, 4 | 6): rtt} | None
 *
 * The group loop of `analysis.tromboning.access_delay_ms` (its `best`), `_first_isp_stop`
 * and `_from` included, when every group's route has one address per hop and its reader's
 * numbers. `private` is the reference's cache of `is_private`, filled the same way. */
static PyObject *
access_best(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError,
                        "access_best(traces, groups, private, trace_type) takes four arguments");
        return NULL;
    }
    PyObject *traces = args[0], *groups = args[1], *private = args[2], *trace_type = args[3];
    if (!list_or_tuple(traces) || !list_or_tuple(groups) || !PyDict_CheckExact(private)
        || !PyType_Check(trace_type)) {
        Py_RETURN_NONE;
    }
    PyObject *best = PyDict_New();
    if (best == NULL) {
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(groups);
    for (Py_ssize_t g = 0; g < count; g++) {
        int done = access_group(traces, PySequence_Fast_GET_ITEM(groups, g), private, best, trace_type);
        if (done <= 0) {
            Py_DECREF(best);
            if (done < 0) {
                return NULL;
            }
            Py_RETURN_NONE;
        }
    }
    return best;
}

/* ---------------------------------------------------------------------------------------- */
/* alike_keyed */

/* `analysis.core._alike_key` of one trace (a new reference), or NULL: with an error set, or
 * with `*declined` set to decline. */
static PyObject *
alike_key(PyObject *trace, PyObject *trace_type, int *declined)
{
    PyObject *key = PyTuple_New(8);
    if (key == NULL) {
        return NULL;
    }
    PyObject *ends = kept_or_called(trace, trace_type, g__numbers, g_address_keys);
    if (ends == NULL) {
        goto error;
    }
    if (!PyTuple_CheckExact(ends) || PyTuple_GET_SIZE(ends) != 2) {
        Py_DECREF(ends);
        Py_DECREF(key);
        *declined = 1;
        return NULL;
    }
    PyObject *route = route_of(trace, trace_type);
    if (route == NULL) {
        Py_DECREF(ends);
        goto error;
    }
    PyObject *serial = PyObject_GetAttr(route, g_serial);
    Py_DECREF(route);
    if (serial == NULL) {
        Py_DECREF(ends);
        goto error;
    }
    PyTuple_SET_ITEM(key, 0, serial);
    PyObject *destination = PyTuple_GET_ITEM(ends, 0), *public = PyTuple_GET_ITEM(ends, 1);
    Py_INCREF(destination);
    Py_INCREF(public);
    Py_DECREF(ends);
    PyObject *prb = prb_of(trace);
    if (prb == NULL) {
        Py_DECREF(destination);
        Py_DECREF(public);
        goto error;
    }
    PyTuple_SET_ITEM(key, 1, prb);
    PyObject *af = PyObject_GetAttr(trace, g_af);
    if (af == NULL) {
        Py_DECREF(destination);
        Py_DECREF(public);
        goto error;
    }
    PyTuple_SET_ITEM(key, 2, af);
    PyTuple_SET_ITEM(key, 3, destination);
    PyTuple_SET_ITEM(key, 4, public);
    PyObject *vantage = PyObject_GetAttr(trace, g_vantage);
    if (vantage == NULL) {
        goto error;
    }
    PyTuple_SET_ITEM(key, 5, vantage);
    PyObject *origin = PyObject_GetAttr(trace, g_origin);
    if (origin == NULL) {
        goto error;
    }
    PyTuple_SET_ITEM(key, 6, origin);
    PyObject *error = PyObject_GetAttr(trace, g_error);
    if (error == NULL) {
        goto error;
    }
    PyObject *ok = error == Py_None ? Py_True : Py_False;
    Py_DECREF(error);
    Py_INCREF(ok);
    PyTuple_SET_ITEM(key, 7, ok);
    return key;
error:
    Py_DECREF(key); /* an unset slot is NULL: the tuple's dealloc skips it */
    return NULL;
}

/* alike_keyed(traces, trace_type) -> {alike key: [positions]} | None: the twin of
 * `analysis.core.alike_keyed` for a list or tuple of traces. */
static PyObject *
alike_keyed(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "alike_keyed(traces, trace_type) takes two arguments");
        return NULL;
    }
    PyObject *traces = args[0], *trace_type = args[1];
    if (!list_or_tuple(traces) || !PyType_Check(trace_type)) {
        Py_RETURN_NONE;
    }
    PyObject *alike = PyDict_New();
    if (alike == NULL) {
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(traces);
    for (Py_ssize_t position = 0; position < count; position++) {
        int declined = 0;
        PyObject *key = alike_key(PySequence_Fast_GET_ITEM(traces, position), trace_type, &declined);
        if (key == NULL) {
            Py_DECREF(alike);
            if (declined) {
                Py_RETURN_NONE;
            }
            return NULL;
        }
        PyObject *number = PyLong_FromSsize_t(position);
        if (number == NULL) {
            Py_DECREF(key);
            Py_DECREF(alike);
            return NULL;
        }
        PyObject *members = PyDict_GetItemWithError(alike, key);
        int failed;
        if (members == NULL) {
            if (PyErr_Occurred()) {
                failed = 1;
            }
            else {
                PyObject *fresh = PyList_New(1);
                failed = fresh == NULL;
                if (!failed) {
                    Py_INCREF(number);
                    PyList_SET_ITEM(fresh, 0, number);
                    failed = PyDict_SetItem(alike, key, fresh) < 0;
                    Py_DECREF(fresh);
                }
            }
        }
        else {
            failed = PyList_Append(members, number) < 0;
        }
        Py_DECREF(number);
        Py_DECREF(key);
        if (failed) {
            Py_DECREF(alike);
            return NULL;
        }
    }
    return alike;
}

/* ---------------------------------------------------------------------------------------- */
/* The physics: `enrichment.geo.radius_km` and `refdata.gazetteer.distance_km`. */

static const double deg_to_rad = Py_MATH_PI / 180.0; /* as `math.radians` */

static double
radius(double rtt, double km_per_ms)
{
    return rtt > 0.0 ? rtt * km_per_ms : 0.0;
}

/* `distance_km` from the latitudes in radians and their cosines (see _kernels_geo.c). */
static double
distance_from(double p1, double cos1, double lon1, double p2, double cos2, double lon2,
              double earth_km)
{
    return ixpready_haversine_parts(p1, cos1, lon1, p2, cos2, lon2, earth_km);
}

static double
distance(double lat1, double lon1, double lat2, double lon2, double earth_km)
{
    double p1 = lat1 * deg_to_rad, p2 = lat2 * deg_to_rad;
    return distance_from(p1, cos(p1), lon1, p2, cos(p2), lon2, earth_km);
}

/* Reads a float argument (an exact float or int, as math converts it); -1 and an error set
 * when not a number. */
static int
number_of(PyObject *object, double *value)
{
    return ixpready_as_double(object, value) ? 0 : -1;
}

/* Reads a tuple of `count` numbers into `values`: 1 when read, 0 when not such a tuple. */
static int
numbers_in(PyObject *tuple, Py_ssize_t count, double *values)
{
    if (!PyTuple_CheckExact(tuple) || PyTuple_GET_SIZE(tuple) != count) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyTuple_GET_ITEM(tuple, i);
        if (!PyFloat_CheckExact(item)) {
            return 0;
        }
        values[i] = PyFloat_AS_DOUBLE(item);
    }
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* probe_tallies */

/* probe_tallies(entries, probes, slack_km, km_per_ms, earth_km)
 *     -> ({prb: confirmations}, [(prb, entry, claim, far_km, rtt)]) | None
 *
 * The reply loop of `analysis.probecheck.check_probes`: `entries` lists, per address in
 * the observations' order, (its observations {prb: rtt}, the (latitude, longitude) of each
 * placing claim); `probes` gives per probe with a tally (latitude, longitude or 0.0,
 * uncertainty km, km to the nearest place abroad), all floats. Per reply: the first claim
 * its RTT contradicts (a contradiction, in order), else a confirmation when near enough. */
static PyObject *
probe_tallies(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "probe_tallies takes five arguments");
        return NULL;
    }
    PyObject *entries = args[0], *probes = args[1];
    double slack, km_per_ms, earth_km;
    if (number_of(args[2], &slack) < 0 || number_of(args[3], &km_per_ms) < 0
        || number_of(args[4], &earth_km) < 0) {
        return NULL;
    }
    if (!PyList_CheckExact(entries) || !PyDict_CheckExact(probes)) {
        Py_RETURN_NONE;
    }
    /* Per probe (numbered in the order of `probes`): its four numbers and confirmations. */
    Py_ssize_t known = PyDict_GET_SIZE(probes);
    PyObject *index = PyDict_New(), *contradictions = PyList_New(0), *counts = NULL, *both;
    double *own = PyMem_Calloc((size_t)known * 4 + 1, sizeof(double));
    long *confirmed = PyMem_Calloc((size_t)known + 1, sizeof(long));
    PyObject **prbs = PyMem_Calloc((size_t)known + 1, sizeof(PyObject *)); /* borrowed */
    double *points = NULL;
    Py_ssize_t room = 0;
    if (index == NULL || contradictions == NULL) {
        goto error;
    }
    if (own == NULL || confirmed == NULL || prbs == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    Py_ssize_t at = 0, n = 0;
    PyObject *prb, *value;
    while (PyDict_Next(probes, &at, &prb, &value)) {
        if (!numbers_in(value, 4, own + 4 * n) || !isfinite(own[4 * n])
            || !isfinite(own[4 * n + 1])) {
            goto decline;
        }
        PyObject *number = PyLong_FromSsize_t(n);
        if (number == NULL || PyDict_SetItem(index, prb, number) < 0) {
            Py_XDECREF(number);
            goto error;
        }
        Py_DECREF(number);
        prbs[n++] = prb;
    }
    for (Py_ssize_t e = 0; e < PyList_GET_SIZE(entries); e++) {
        PyObject *entry = PyList_GET_ITEM(entries, e);
        if (!PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 2) {
            goto decline;
        }
        PyObject *seen = PyTuple_GET_ITEM(entry, 0), *claims = PyTuple_GET_ITEM(entry, 1);
        if (!PyDict_CheckExact(seen) || !PyTuple_CheckExact(claims)) {
            goto decline;
        }
        Py_ssize_t placed = PyTuple_GET_SIZE(claims);
        if (placed > room) {
            double *more = PyMem_Realloc(points, (size_t)placed * 2 * sizeof(double));
            if (more == NULL) {
                PyErr_NoMemory();
                goto error;
            }
            points = more;
            room = placed;
        }
        for (Py_ssize_t c = 0; c < placed; c++) {
            if (!numbers_in(PyTuple_GET_ITEM(claims, c), 2, points + 2 * c)
                || !isfinite(points[2 * c]) || !isfinite(points[2 * c + 1])) {
                goto decline;
            }
        }
        Py_ssize_t inner = 0;
        PyObject *rtt;
        while (PyDict_Next(seen, &inner, &prb, &rtt)) {
            PyObject *number = PyDict_GetItemWithError(index, prb);
            if (number == NULL) {
                if (PyErr_Occurred()) {
                    goto error;
                }
                continue; /* a probe without a tally */
            }
            if (!PyFloat_CheckExact(rtt)) {
                goto decline;
            }
            Py_ssize_t i = PyLong_AsSsize_t(number);
            const double *mine = own + 4 * i; /* latitude, longitude, blur, nearest abroad */
            double reach = radius(PyFloat_AS_DOUBLE(rtt), km_per_ms) + mine[2];
            Py_ssize_t hit = -1;
            double far = 0.0;
            for (Py_ssize_t c = 0; c < placed; c++) {
                far = distance(mine[0], mine[1], points[2 * c], points[2 * c + 1], earth_km);
                if (far - slack > reach) {
                    hit = c;
                    break;
                }
            }
            if (hit >= 0) {
                PyObject *row = Py_BuildValue("(OnndO)", prb, e, hit, far, rtt);
                if (row == NULL || PyList_Append(contradictions, row) < 0) {
                    Py_XDECREF(row);
                    goto error;
                }
                Py_DECREF(row);
            }
            else if (reach < mine[3]) {
                confirmed[i]++;
            }
        }
    }
    counts = PyDict_New();
    if (counts == NULL) {
        goto error;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (confirmed[i] == 0) {
            continue;
        }
        PyObject *count = PyLong_FromLong(confirmed[i]);
        if (count == NULL || PyDict_SetItem(counts, prbs[i], count) < 0) {
            Py_XDECREF(count);
            goto error;
        }
        Py_DECREF(count);
    }
    both = PyTuple_Pack(2, counts, contradictions);
    goto finish_with;
decline:
    both = Py_None;
    Py_INCREF(both);
    goto finish_with;
error:
    both = NULL;
finish_with:
    PyMem_Free(points);
    PyMem_Free(own);
    PyMem_Free(confirmed);
    PyMem_Free(prbs);
    Py_XDECREF(index);
    Py_XDECREF(counts);
    Py_XDECREF(contradictions);
    return both;
}

/* ---------------------------------------------------------------------------------------- */
/* mutual_conflicts */

typedef struct {
    double reach, latitude, longitude;
    double phi, cos_phi; /* the latitude in radians and its cosine, once a disc is kept */
    PyObject *prb, *rtt; /* borrowed from the observations */
} Disc;

/* Keeps in `top` (`*kept` of at most `most`) the tightest discs so far, by radius and then
 * in the order they came: what a stable sort by radius, cut to `most`, keeps. */
static void
keep_tightest(Disc *top, Py_ssize_t *kept, Py_ssize_t most, const Disc *disc)
{
    Py_ssize_t at = *kept;
    while (at > 0 && disc->reach < top[at - 1].reach) { /* after those of equal radius */
        at--;
    }
    if (at >= most) {
        return;
    }
    Py_ssize_t last = *kept < most ? *kept : most - 1;
    memmove(&top[at + 1], &top[at], (size_t)(last - at) * sizeof(Disc));
    top[at] = *disc;
    if (*kept < most) {
        (*kept)++;
    }
}

/* mutual_conflicts(observations, placed, max_discs, km_per_ms, earth_km)
 *     -> [(address, prb_a, rtt_a, prb_b, rtt_b, apart_km)] | None
 *
 * The disc loop of `analysis.probecheck.mutual_contradictions`: per address, the discs of
 * the probes in `placed` ({prb: (uncertainty km, latitude, longitude)}, floats), the
 * `max_discs` tightest (a stable sort by radius), and each pair of them that cannot overlap,
 * in the reference's order. None when some radius is not a number. */
static PyObject *
mutual_conflicts(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "mutual_conflicts takes five arguments");
        return NULL;
    }
    PyObject *observations = args[0], *placed = args[1];
    Py_ssize_t most = PyLong_AsSsize_t(args[2]);
    if (most == -1 && PyErr_Occurred()) {
        return NULL;
    }
    double km_per_ms, earth_km;
    if (number_of(args[3], &km_per_ms) < 0 || number_of(args[4], &earth_km) < 0) {
        return NULL;
    }
    if (!PyDict_CheckExact(observations) || !PyDict_CheckExact(placed) || most < 0) {
        Py_RETURN_NONE; /* (a negative count cuts from the end: left to the reference) */
    }
    PyObject *conflicts = PyList_New(0);
    if (conflicts == NULL) {
        return NULL;
    }
    Disc *discs = NULL;
    Py_ssize_t room = 0;
    Py_ssize_t at = 0;
    PyObject *address, *seen;
    while (PyDict_Next(observations, &at, &address, &seen)) {
        if (!PyDict_CheckExact(seen)) {
            goto decline;
        }
        Py_ssize_t wanted = PyDict_GET_SIZE(seen) < most ? PyDict_GET_SIZE(seen) : most;
        if (wanted > room) {
            room = wanted;
            Disc *more = PyMem_Realloc(discs, (size_t)room * sizeof(Disc));
            if (more == NULL) {
                PyErr_NoMemory();
                goto error;
            }
            discs = more;
        }
        Py_ssize_t count = 0, kept = 0, inner = 0;
        PyObject *prb, *rtt;
        while (PyDict_Next(seen, &inner, &prb, &rtt)) {
            PyObject *vantage = PyDict_GetItemWithError(placed, prb);
            if (vantage == NULL) {
                if (PyErr_Occurred()) {
                    goto error;
                }
                continue;
            }
            double own[3];
            if (!PyFloat_CheckExact(rtt) || !numbers_in(vantage, 3, own)) {
                goto decline;
            }
            Disc disc = {0};
            disc.reach = radius(PyFloat_AS_DOUBLE(rtt), km_per_ms) + own[0];
            if (isnan(disc.reach) || !isfinite(own[1]) || !isfinite(own[2])) {
                goto decline;
            }
            disc.latitude = own[1];
            disc.longitude = own[2];
            disc.prb = prb;
            disc.rtt = rtt;
            count++;
            if (most > 0) {
                keep_tightest(discs, &kept, most, &disc);
            }
        }
        if (count < 2) {
            continue;
        }
        for (Py_ssize_t i = 0; i < kept; i++) {
            discs[i].phi = discs[i].latitude * deg_to_rad;
            discs[i].cos_phi = cos(discs[i].phi);
        }
        for (Py_ssize_t i = 0; i < kept; i++) {
            Disc *a = &discs[i];
            for (Py_ssize_t j = i + 1; j < kept; j++) {
                Disc *b = &discs[j];
                double apart = distance_from(a->phi, a->cos_phi, a->longitude, b->phi,
                                             b->cos_phi, b->longitude, earth_km);
                if (apart > a->reach + b->reach) {
                    PyObject *row =
                        Py_BuildValue("(OOOOOd)", address, a->prb, a->rtt, b->prb, b->rtt, apart);
                    if (row == NULL || PyList_Append(conflicts, row) < 0) {
                        Py_XDECREF(row);
                        goto error;
                    }
                    Py_DECREF(row);
                }
            }
        }
    }
    PyMem_Free(discs);
    return conflicts;
decline:
    PyMem_Free(discs);
    Py_DECREF(conflicts);
    Py_RETURN_NONE;
error:
    PyMem_Free(discs);
    Py_DECREF(conflicts);
    return NULL;
}

PyMethodDef ixpready_gather_methods[] = {
    {"observe_numbered", (PyCFunction)(void (*)(void))observe_numbered, METH_FASTCALL,
     "observe_numbered(traces, groups, trace_type): enrichment.annotate.observe's loops, or "
     "None."},
    {"access_best", (PyCFunction)(void (*)(void))access_best, METH_FASTCALL,
     "access_best(traces, groups, private, trace_type): analysis.tromboning.access_delay_ms's "
     "group loop, or None."},
    {"alike_keyed", (PyCFunction)(void (*)(void))alike_keyed, METH_FASTCALL,
     "alike_keyed(traces, trace_type): analysis.core.alike_keyed, or None."},
    {"probe_tallies", (PyCFunction)(void (*)(void))probe_tallies, METH_FASTCALL,
     "probe_tallies(entries, probes, slack_km, km_per_ms, earth_km): the reply loop of "
     "analysis.probecheck.check_probes, or None."},
    {"mutual_conflicts", (PyCFunction)(void (*)(void))mutual_conflicts, METH_FASTCALL,
     "mutual_conflicts(observations, placed, max_discs, km_per_ms, earth_km): the disc loop "
     "of analysis.probecheck.mutual_contradictions, or None."},
    {NULL, NULL, 0, NULL},
};

int
ixpready_gather_init(void)
{
    struct {
        PyObject **slot;
        const char *text;
    } names[] = {
        {&g__route, "_route"},      {&g__stop_rtts, "_stop_rtts"},
        {&g__numbers, "_numbers"},
        {&g_route, "route"},         {&g_stop_rtts, "stop_rtts"},
        {&g_key, "key"},             {&g_prb_id, "prb_id"},
        {&g_one_per_hop, "one_per_hop"}, {&g_numbers, "numbers"},
        {&g_stops, "stops"},         {&g_af, "af"},
        {&g_address_keys, "address_keys"}, {&g_serial, "serial"},
        {&g_vantage, "vantage"},     {&g_origin, "origin"},
        {&g_error, "error"},         {&g_is_private, "is_private"},
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
