/* ixpready._kernels: judging one path. See _kernels.c for what a kernel promises.
 *
 * pick_infos:  the per-stop lookup of `enrichment.annotate.Annotator.annotate`;
 * route_reach: `measurements.records.Route.reach` for a stop's address number;
 * scan_route:  the per-stop pass of `analysis.tromboning._route_facts` (`_scan_route`);
 * as_path:     `analysis.tromboning._as_path`;
 * route_telling: `analysis.tromboning._tell` (what a route's telling stops say).
 */
#include "_kernels.h"

static PyObject *s_serial, *s_address;

/* Returns 1 when `value` is None or an exact int. */
static int
none_or_int(PyObject *value)
{
    return value == Py_None || PyLong_CheckExact(value);
}

/* pick_infos(numbered, numbers) -> tuple | None
 *
 * The twin of `tuple([numbered[number] for number in numbers])` for a dict and a tuple of
 * exact ints: None (the reference's KeyError) when some number is not in `numbered`.
 */
static PyObject *
pick_infos(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "pick_infos(numbered, numbers) takes two arguments");
        return NULL;
    }
    PyObject *numbered = args[0], *numbers = args[1];
    if (!PyDict_CheckExact(numbered) || !PyTuple_CheckExact(numbers)) {
        Py_RETURN_NONE;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(numbers);
    PyObject *infos = PyTuple_New(n);
    if (infos == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *number = PyTuple_GET_ITEM(numbers, i);
        if (!PyLong_CheckExact(number)) {
            Py_DECREF(infos);
            Py_RETURN_NONE;
        }
        PyObject *info = PyDict_GetItemWithError(numbered, number); /* borrowed */
        if (info == NULL) {
            Py_DECREF(infos);
            if (PyErr_Occurred()) {
                return NULL;
            }
            Py_RETURN_NONE;
        }
        Py_INCREF(info);
        PyTuple_SET_ITEM(infos, i, info);
    }
    return infos;
}

/* route_reach(numbers, number, rtts) -> (bool, float | None) | None
 *
 * The twin of `Route.reach(address, rtts, number)` for a route with numbers (a tuple of
 * exact ints), a nonzero exact int `number` and a tuple of RTTs (exact floats or None) as
 * long as the route: whether some stop is that number, and the smallest RTT at those stops.
 */
static PyObject *
route_reach(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "route_reach(numbers, number, rtts) takes three arguments");
        return NULL;
    }
    PyObject *numbers = args[0], *number = args[1], *rtts = args[2];
    if (!PyTuple_CheckExact(numbers) || !PyTuple_CheckExact(rtts) || !PyLong_CheckExact(number)
        || PyTuple_GET_SIZE(numbers) != PyTuple_GET_SIZE(rtts)) {
        Py_RETURN_NONE;
    }
    int overflow = 0;
    long long wanted = PyLong_AsLongLongAndOverflow(number, &overflow);
    if (wanted == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (overflow || wanted == 0) {
        Py_RETURN_NONE;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(numbers);
    int found = 0;
    PyObject *best = NULL; /* borrowed */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *known = PyTuple_GET_ITEM(numbers, i);
        if (!PyLong_CheckExact(known)) {
            Py_RETURN_NONE;
        }
        long long value = PyLong_AsLongLongAndOverflow(known, &overflow);
        if (value == -1 && PyErr_Occurred()) {
            return NULL;
        }
        if (overflow) {
            Py_RETURN_NONE;
        }
        if (value != wanted) {
            continue;
        }
        found = 1;
        PyObject *rtt = PyTuple_GET_ITEM(rtts, i);
        if (rtt == Py_None) {
            continue;
        }
        if (!PyFloat_CheckExact(rtt)) {
            Py_RETURN_NONE;
        }
        if (best == NULL || PyFloat_AS_DOUBLE(rtt) < PyFloat_AS_DOUBLE(best)) {
            best = rtt;
        }
    }
    return PyTuple_Pack(2, found ? Py_True : Py_False, best == NULL ? Py_None : best);
}

/* scan_route(stops, infos, by_serial, facts_type) -> (last number, ASNs, telling) | None
 *
 * The twin of `analysis.tromboning._scan_route` when every annotation's facts are already in
 * `by_serial` (by `AddressInfo.serial`): the last hop number that replied (None when none),
 * the ASN of each annotated stop, in order, and the (stop, info, facts) of each stop that has
 * more to say than its ASN. Each stop is a (number, address, inherited) tuple with an exact
 * int number; each facts object an exact `facts_type` (AddressFacts: asn first,
 * nothing_but_asn last). None otherwise: the reference works the missing facts out.
 */
static PyObject *
scan_route(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError,
                        "scan_route(stops, infos, by_serial, facts_type) takes four arguments");
        return NULL;
    }
    PyObject *stops = args[0], *infos = args[1], *by_serial = args[2], *facts_type = args[3];
    if (!PyTuple_CheckExact(stops) || !PyTuple_CheckExact(infos) || !PyDict_CheckExact(by_serial)
        || !PyType_Check(facts_type) || PyTuple_GET_SIZE(stops) != PyTuple_GET_SIZE(infos)) {
        Py_RETURN_NONE;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(stops);
    PyObject *last = NULL; /* borrowed */
    PyObject *asns = PyList_New(0), *telling = PyList_New(0);
    if (asns == NULL || telling == NULL) {
        goto error;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *stop = PyTuple_GET_ITEM(stops, i);
        if (!PyTuple_CheckExact(stop) || PyTuple_GET_SIZE(stop) != 3) {
            goto decline;
        }
        PyObject *hop = PyTuple_GET_ITEM(stop, 0);
        if (!PyLong_CheckExact(hop)) {
            goto decline;
        }
        if (PyTuple_GET_ITEM(stop, 1) != Py_None) {
            if (last == NULL) {
                last = hop;
            }
            else {
                int greater = PyObject_RichCompareBool(hop, last, Py_GT);
                if (greater < 0) {
                    goto error;
                }
                if (greater) {
                    last = hop;
                }
            }
        }
        PyObject *info = PyTuple_GET_ITEM(infos, i);
        if (info == Py_None) {
            continue;
        }
        PyObject *serial = PyObject_GetAttr(info, s_serial);
        if (serial == NULL) {
            goto error;
        }
        PyObject *about = PyDict_GetItemWithError(by_serial, serial); /* borrowed */
        Py_DECREF(serial);
        if (about == NULL) {
            if (PyErr_Occurred()) {
                goto error;
            }
            goto decline; /* facts not worked out yet */
        }
        if ((PyObject *)Py_TYPE(about) != facts_type || PyTuple_GET_SIZE(about) != 8) {
            goto decline;
        }
        PyObject *asn = PyTuple_GET_ITEM(about, 0);
        PyObject *quiet = PyTuple_GET_ITEM(about, 7);
        if (!none_or_int(asn) || (quiet != Py_True && quiet != Py_False)) {
            goto decline;
        }
        if (PyList_Append(asns, asn) < 0) {
            goto error;
        }
        if (quiet == Py_False) {
            PyObject *item = PyTuple_Pack(3, stop, info, about);
            if (item == NULL) {
                goto error;
            }
            int failed = PyList_Append(telling, item);
            Py_DECREF(item);
            if (failed < 0) {
                goto error;
            }
        }
    }
    PyObject *asn_tuple = PyList_AsTuple(asns), *telling_tuple = PyList_AsTuple(telling);
    Py_DECREF(asns);
    Py_DECREF(telling);
    if (asn_tuple == NULL || telling_tuple == NULL) {
        Py_XDECREF(asn_tuple);
        Py_XDECREF(telling_tuple);
        return NULL;
    }
    PyObject *packed = PyTuple_Pack(3, last == NULL ? Py_None : last, asn_tuple, telling_tuple);
    Py_DECREF(asn_tuple);
    Py_DECREF(telling_tuple);
    return packed;
decline:
    Py_XDECREF(asns);
    Py_XDECREF(telling);
    Py_RETURN_NONE;
error:
    Py_XDECREF(asns);
    Py_XDECREF(telling);
    return NULL;
}

/* Returns 1 when two items of an AS path (None or exact ints) differ, 0 when equal, -1 on
 * error. */
static int
differ(PyObject *a, PyObject *b)
{
    if (a == b) {
        return 0;
    }
    return PyObject_RichCompareBool(a, b, Py_NE);
}

/* as_path(asns, src_asn, dst_asn, reached) -> tuple | None
 *
 * The twin of `analysis.tromboning._as_path` for a tuple of ASNs (exact ints or None), ends
 * that are exact ints or None and `reached` a bool.
 */
static PyObject *
as_path(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError,
                        "as_path(asns, src_asn, dst_asn, reached) takes four arguments");
        return NULL;
    }
    PyObject *asns = args[0], *src = args[1], *dst = args[2], *reached = args[3];
    if (!PyTuple_CheckExact(asns) || !none_or_int(src) || !none_or_int(dst)
        || (reached != Py_True && reached != Py_False)) {
        Py_RETURN_NONE;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(asns);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!none_or_int(PyTuple_GET_ITEM(asns, i))) {
            Py_RETURN_NONE;
        }
    }
    /* The sequence holds borrowed references (from asns, src and dst, all alive). */
    PyObject *small[64];
    PyObject **sequence = small;
    if (n + 2 > 64) {
        sequence = PyMem_Malloc(sizeof(PyObject *) * (size_t)(n + 2));
        if (sequence == NULL) {
            return PyErr_NoMemory();
        }
    }
    Py_ssize_t length = 0;
    PyObject *cleaned = NULL;
    if (src != Py_None) {
        sequence[length++] = src;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *asn = PyTuple_GET_ITEM(asns, i);
        if (asn == Py_None) {
            continue;
        }
        if (length > 0) {
            int d = differ(sequence[length - 1], asn);
            if (d < 0) {
                goto done;
            }
            if (!d) {
                continue;
            }
        }
        sequence[length++] = asn;
    }
    if (reached == Py_True && dst != Py_None) {
        int d = length == 0 ? 1 : differ(sequence[length - 1], dst);
        if (d < 0) {
            goto done;
        }
        if (d) {
            sequence[length++] = dst;
        }
    }
    PyObject *kept = PyList_New(0);
    if (kept == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < length; i++) {
        PyObject *asn = sequence[i];
        if (0 < i && i < length - 1) {
            int d = differ(sequence[i - 1], sequence[i + 1]);
            if (d < 0) {
                Py_DECREF(kept);
                goto done;
            }
            if (!d) {
                continue;
            }
        }
        Py_ssize_t size = PyList_GET_SIZE(kept);
        if (size > 0) {
            int d = differ(PyList_GET_ITEM(kept, size - 1), asn);
            if (d < 0) {
                Py_DECREF(kept);
                goto done;
            }
            if (!d) {
                continue;
            }
        }
        if (PyList_Append(kept, asn) < 0) {
            Py_DECREF(kept);
            goto done;
        }
    }
    cleaned = PyList_AsTuple(kept);
    Py_DECREF(kept);
done:
    if (sequence != small) {
        PyMem_Free(sequence);
    }
    return cleaned;
}

/* Appends `item` to `list` unless an equal item is in it already (`if item not in list`).
 * Returns 0, or -1 on error. */
static int
append_new(PyObject *list, PyObject *item)
{
    int found = PySequence_Contains(list, item);
    if (found < 0) {
        return -1;
    }
    return found ? 0 : PyList_Append(list, item);
}

/* route_telling(telling, home, said, facts_type, abroad_type) -> tuple | None
 *
 * The twin of `analysis.tromboning._tell` when every stop abroad is its annotation's own
 * address and what it says is in `said` already (by (annotation serial, hop number, home)):
 * (home IXP names, via a home IXP, IXPs, their countries, countries abroad, cities abroad,
 * networks that carried the path abroad, best confidence abroad, evidence). Each facts object
 * must be an exact `facts_type` (AddressFacts) with bool flags, each `abroad` None or an exact
 * `abroad_type` (Abroad) with a float confidence. None otherwise.
 */
static PyObject *
route_telling(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError,
                        "route_telling(telling, home, said, facts_type, abroad_type) takes five "
                        "arguments");
        return NULL;
    }
    PyObject *telling = args[0], *home = args[1], *said = args[2], *facts_type = args[3],
             *abroad_type = args[4];
    if (!PyTuple_CheckExact(telling) || !PyUnicode_CheckExact(home) || !PyDict_CheckExact(said)
        || !PyType_Check(facts_type) || !PyType_Check(abroad_type)) {
        Py_RETURN_NONE;
    }
    PyObject *result = NULL;
    PyObject *names = PySet_New(NULL), *ixps = PyList_New(0), *ixp_countries = PyList_New(0),
             *countries = PyList_New(0), *cities = PyList_New(0), *carried = PyList_New(0),
             *evidence = PyList_New(0);
    PyObject *via = Py_False, *best = NULL; /* borrowed */
    if (names == NULL || ixps == NULL || ixp_countries == NULL || countries == NULL
        || cities == NULL || carried == NULL || evidence == NULL) {
        goto done;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(telling);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(telling, i);
        if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 3) {
            goto decline;
        }
        PyObject *stop = PyTuple_GET_ITEM(item, 0), *info = PyTuple_GET_ITEM(item, 1),
                 *about = PyTuple_GET_ITEM(item, 2);
        if (!PyTuple_CheckExact(stop) || PyTuple_GET_SIZE(stop) != 3 || info == Py_None
            || (PyObject *)Py_TYPE(about) != facts_type || PyTuple_GET_SIZE(about) != 8) {
            goto decline;
        }
        PyObject *asn = PyTuple_GET_ITEM(about, 0), *judged = PyTuple_GET_ITEM(about, 1),
                 *ixp_name = PyTuple_GET_ITEM(about, 2), *ixp_country = PyTuple_GET_ITEM(about, 3),
                 *home_ixp = PyTuple_GET_ITEM(about, 4), *placed = PyTuple_GET_ITEM(about, 5),
                 *abroad = PyTuple_GET_ITEM(about, 6);
        if ((judged != Py_True && judged != Py_False) || (placed != Py_True && placed != Py_False)
            || !none_or_int(asn)) {
            goto decline;
        }
        if (home_ixp != Py_None) {
            if (PySet_Add(names, home_ixp) < 0) {
                goto done;
            }
            if (via == Py_False) {
                via = placed; /* `via or placed` */
            }
        }
        if (judged == Py_False) {
            continue;
        }
        if (ixp_name != Py_None) {
            int found = PySequence_Contains(ixps, ixp_name);
            if (found < 0) {
                goto done;
            }
            if (!found && (PyList_Append(ixps, ixp_name) < 0
                           || PyList_Append(ixp_countries, ixp_country) < 0)) {
                goto done;
            }
        }
        if (abroad == Py_None) {
            continue;
        }
        if ((PyObject *)Py_TYPE(abroad) != abroad_type || PyTuple_GET_SIZE(abroad) != 6) {
            goto decline;
        }
        PyObject *country = PyTuple_GET_ITEM(abroad, 0), *city = PyTuple_GET_ITEM(abroad, 1),
                 *confidence = PyTuple_GET_ITEM(abroad, 4);
        if ((country != Py_None && !PyUnicode_CheckExact(country)) || !PyFloat_CheckExact(confidence)) {
            goto decline;
        }
        /* What the stop says must be known already, for this very address. */
        PyObject *address = PyObject_GetAttr(info, s_address);
        if (address == NULL) {
            goto done;
        }
        Py_DECREF(address); /* only its identity is compared (the stop holds it) */
        if (address != PyTuple_GET_ITEM(stop, 1)) {
            goto decline;
        }
        PyObject *serial = PyObject_GetAttr(info, s_serial);
        if (serial == NULL) {
            goto done;
        }
        PyObject *key = PyTuple_Pack(3, serial, PyTuple_GET_ITEM(stop, 0), home);
        Py_DECREF(serial);
        if (key == NULL) {
            goto done;
        }
        PyObject *lines = PyDict_GetItemWithError(said, key); /* borrowed */
        Py_DECREF(key);
        if (lines == NULL) {
            if (PyErr_Occurred()) {
                goto done;
            }
            goto decline; /* not said yet: the reference says it */
        }
        if (!PyTuple_CheckExact(lines)) {
            goto decline;
        }
        if (country != Py_None && PyUnicode_GET_LENGTH(country) > 0) {
            Py_ssize_t size = PyList_GET_SIZE(countries);
            int differs = 1;
            if (size > 0) {
                differs = PyObject_RichCompareBool(PyList_GET_ITEM(countries, size - 1), country, Py_NE);
                if (differs < 0) {
                    goto done;
                }
            }
            if (differs && PyList_Append(countries, country) < 0) {
                goto done;
            }
        }
        if (city != Py_None && append_new(cities, city) < 0) {
            goto done;
        }
        if (asn != Py_None && append_new(carried, asn) < 0) {
            goto done;
        }
        if (best == NULL || PyFloat_AS_DOUBLE(confidence) > PyFloat_AS_DOUBLE(best)) {
            best = confidence; /* `max`: the first of equals */
        }
        Py_ssize_t count = PyTuple_GET_SIZE(lines);
        for (Py_ssize_t j = 0; j < count; j++) {
            if (PyList_Append(evidence, PyTuple_GET_ITEM(lines, j)) < 0) {
                goto done;
            }
        }
    }
    {
        PyObject *frozen = PyFrozenSet_New(names);
        PyObject *t_ixps = PyList_AsTuple(ixps), *t_ixp_countries = PyList_AsTuple(ixp_countries),
                 *t_countries = PyList_AsTuple(countries), *t_cities = PyList_AsTuple(cities),
                 *t_carried = PyList_AsTuple(carried), *t_evidence = PyList_AsTuple(evidence);
        if (frozen != NULL && t_ixps != NULL && t_ixp_countries != NULL && t_countries != NULL
            && t_cities != NULL && t_carried != NULL && t_evidence != NULL) {
            result = PyTuple_Pack(9, frozen, via, t_ixps, t_ixp_countries, t_countries, t_cities,
                                  t_carried, best == NULL ? Py_None : best, t_evidence);
        }
        Py_XDECREF(frozen);
        Py_XDECREF(t_ixps);
        Py_XDECREF(t_ixp_countries);
        Py_XDECREF(t_countries);
        Py_XDECREF(t_cities);
        Py_XDECREF(t_carried);
        Py_XDECREF(t_evidence);
    }
    goto done;
decline:
    Py_INCREF(Py_None);
    result = Py_None;
done:
    Py_XDECREF(names);
    Py_XDECREF(ixps);
    Py_XDECREF(ixp_countries);
    Py_XDECREF(countries);
    Py_XDECREF(cities);
    Py_XDECREF(carried);
    Py_XDECREF(evidence);
    return result;
}

PyMethodDef ixpready_judge_methods[] = {
    {"pick_infos", (PyCFunction)(void (*)(void))pick_infos, METH_FASTCALL,
     "pick_infos(numbered, numbers): the per-stop lookup of Annotator.annotate, or None."},
    {"route_reach", (PyCFunction)(void (*)(void))route_reach, METH_FASTCALL,
     "route_reach(numbers, number, rtts): Route.reach by address number, or None."},
    {"scan_route", (PyCFunction)(void (*)(void))scan_route, METH_FASTCALL,
     "scan_route(stops, infos, by_serial, facts_type): tromboning._scan_route, or None."},
    {"as_path", (PyCFunction)(void (*)(void))as_path, METH_FASTCALL,
     "as_path(asns, src_asn, dst_asn, reached): tromboning._as_path, or None."},
    {"route_telling", (PyCFunction)(void (*)(void))route_telling, METH_FASTCALL,
     "route_telling(telling, home, said, facts_type, abroad_type): tromboning._tell, or None."},
    {NULL, NULL, 0, NULL},
};

int
ixpready_judge_init(void)
{
    if (s_serial == NULL) {
        s_serial = PyUnicode_InternFromString("serial");
        if (s_serial == NULL) {
            return -1;
        }
    }
    if (s_address == NULL) {
        s_address = PyUnicode_InternFromString("address");
        if (s_address == NULL) {
            return -1;
        }
    }
    return 0;
}
