/* ixpready._kernels: distances on the globe. See _kernels.c for what a kernel promises.
 *
 * distance_km is the twin of refdata.gazetteer's Python haversine, operation for operation
 * (the same libm functions in the same order, `x ** 2` as CPython's float power computes
 * it), so the two give the same double; tests/test_kernels.py compares them on a million
 * points. The sources are built with -fno-builtin-pow and -ffp-contract=off (setup.py) so the
 * compiler neither turns pow(x, 2) into x * x nor fuses a multiplication and an addition.
 */
#include "_kernels.h"
#include <math.h>

#define EARTH_RADIUS_KM 6371.0 /* as refdata.gazetteer.EARTH_RADIUS_KM */

static const double DEG_TO_RAD = Py_MATH_PI / 180.0; /* as math.radians */

static PyObject *s_latitude, *s_longitude, *s_uncertainty_km;

/* libm's pow, called as CPython's float power calls it: through a pointer the compiler cannot
 * see through, so `pow(x, 2.0)` is never turned into `x * x` (which may differ in the last bit;
 * setup.py's -fno-builtin-pow says the same to the compiler). */
static double (*volatile libm_pow)(double, double) = pow;

/* `x ** 2` for a finite float, as CPython's float_pow computes it (the magnitude's power). */
static double
squared(double x)
{
    return libm_pow(fabs(x), 2.0);
}

double
ixpready_haversine_parts(double p1, double cos1, double lon1, double p2, double cos2, double lon2,
                         double earth_km)
{
    double dp = p2 - p1, dl = (lon2 - lon1) * DEG_TO_RAD;
    double a = squared(sin(dp / 2)) + cos1 * cos2 * squared(sin(dl / 2));
    double root = sqrt(a);
    return 2 * earth_km * asin(root < 1.0 ? root : 1.0); /* min(1.0, root) */
}

double
ixpready_haversine_km(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG_TO_RAD, p2 = lat2 * DEG_TO_RAD;
    return ixpready_haversine_parts(p1, cos(p1), lon1, p2, cos(p2), lon2, EARTH_RADIUS_KM);
}

int
ixpready_as_double(PyObject *value, double *out)
{
    if (PyFloat_CheckExact(value)) {
        *out = PyFloat_AS_DOUBLE(value);
        return 1;
    }
    if (PyLong_CheckExact(value)) {
        *out = PyLong_AsDouble(value);
        return !(*out == -1.0 && PyErr_Occurred());
    }
    PyErr_SetString(PyExc_TypeError, "a coordinate must be a float or an int");
    return 0;
}

/* distance_km(lat1, lon1, lat2, lon2): refdata.gazetteer's great-circle distance. */
static PyObject *
distance_km(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    double v[4];
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "distance_km takes four coordinates");
        return NULL;
    }
    for (int i = 0; i < 4; i++) {
        if (!ixpready_as_double(args[i], &v[i])) {
            return NULL;
        }
        if (!isfinite(v[i])) { /* math.sin of an infinity raises: left to the reference */
            PyErr_SetString(PyExc_ValueError, "math domain error");
            return NULL;
        }
    }
    return PyFloat_FromDouble(ixpready_haversine_km(v[0], v[1], v[2], v[3]));
}

static int
pair(PyObject *point, double *lat, double *lon)
{
    if (!PyTuple_CheckExact(point) || PyTuple_GET_SIZE(point) != 2) {
        return 0;
    }
    return ixpready_as_double(PyTuple_GET_ITEM(point, 0), lat) && ixpready_as_double(PyTuple_GET_ITEM(point, 1), lon);
}

/* nearest_detour(s, a, b, crossings, uncertainty) -> (length, crossing) | None:
 * analysis.detours.nearest_detour, operation for operation. None for anything but three (lat, lon)
 * tuples of numbers, a non-empty tuple of crossings with float coordinates and three
 * uncertainties. */
static PyObject *
nearest_detour(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "nearest_detour takes five arguments");
        return NULL;
    }
    double s_lat, s_lon, a_lat, a_lon, b_lat, b_lon, s_km, a_km, b_km;
    PyObject *crossings = args[3], *uncertainty = args[4];
    if (!pair(args[0], &s_lat, &s_lon) || !pair(args[1], &a_lat, &a_lon)
        || !pair(args[2], &b_lat, &b_lon) || !PyTuple_CheckExact(crossings)
        || PyTuple_GET_SIZE(crossings) == 0 || !PyTuple_CheckExact(uncertainty)
        || PyTuple_GET_SIZE(uncertainty) != 3 || !ixpready_as_double(PyTuple_GET_ITEM(uncertainty, 0), &s_km)
        || !ixpready_as_double(PyTuple_GET_ITEM(uncertainty, 1), &a_km)
        || !ixpready_as_double(PyTuple_GET_ITEM(uncertainty, 2), &b_km)) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    double all[9] = {s_lat, s_lon, a_lat, a_lon, b_lat, b_lon, s_km, a_km, b_km};
    for (int i = 0; i < 9; i++) {
        if (!isfinite(all[i])) {
            Py_RETURN_NONE;
        }
    }
    double s_to_a = ixpready_haversine_km(s_lat, s_lon, a_lat, a_lon);
    double b_to_s = ixpready_haversine_km(b_lat, b_lon, s_lat, s_lon);
    double best = 0.0;
    Py_ssize_t best_index = -1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(crossings); i++) {
        PyObject *crossing = PyTuple_GET_ITEM(crossings, i);
        PyObject *lat_obj = PyObject_GetAttr(crossing, s_latitude);
        if (lat_obj == NULL) {
            return NULL;
        }
        PyObject *lon_obj = PyObject_GetAttr(crossing, s_longitude);
        if (lon_obj == NULL) {
            Py_DECREF(lat_obj);
            return NULL;
        }
        int plain = PyFloat_CheckExact(lat_obj) && PyFloat_CheckExact(lon_obj);
        double c_lat = plain ? PyFloat_AS_DOUBLE(lat_obj) : 0.0;
        double c_lon = plain ? PyFloat_AS_DOUBLE(lon_obj) : 0.0;
        Py_DECREF(lat_obj);
        Py_DECREF(lon_obj);
        if (!plain || !isfinite(c_lat) || !isfinite(c_lon)) {
            Py_RETURN_NONE;
        }
        double s_to_c = ixpready_haversine_km(s_lat, s_lon, c_lat, c_lon);
        double via_a = s_to_a + ixpready_haversine_km(a_lat, a_lon, c_lat, c_lon) - 2 * a_km;
        double out = via_a > s_to_c ? via_a : s_to_c; /* max(s_to_c, via_a) */
        double via_b = ixpready_haversine_km(c_lat, c_lon, b_lat, b_lon) + b_to_s - 2 * b_km;
        double back = via_b > s_to_c ? via_b : s_to_c;
        double length = out + back - 2 * s_km;
        if (best_index < 0 || length < best) {
            best = length;
            best_index = i;
        }
    }
    PyObject *length = PyFloat_FromDouble(best);
    if (length == NULL) {
        return NULL;
    }
    PyObject *crossing = PyTuple_GET_ITEM(crossings, best_index);
    PyObject *out = PyTuple_Pack(2, length, crossing);
    Py_DECREF(length);
    return out;
}

/* refuting_disc(discs, latitude, longitude, slack_km, km_per_ms) -> int | None:
 * the disc loop of enrichment.annotate._refute_one (`first_refuting_disc`): the index of the
 * first (vantage, rtt) disc that cannot reach the place, `far - slack_km > reach` with
 * reach = radius_km(rtt) + the vantage's uncertainty; -1 when every disc reaches it. Discs of
 * a vantage without coordinates are passed over. None for anything but a list or tuple of
 * (vantage, float) pairs whose vantages hold floats (or None) and a float uncertainty. */
static PyObject *
refuting_disc(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "refuting_disc takes five arguments");
        return NULL;
    }
    PyObject *discs = args[0];
    double lat, lon, slack, km_per_ms;
    if (!(PyTuple_CheckExact(discs) || PyList_CheckExact(discs)) || !ixpready_as_double(args[1], &lat)
        || !ixpready_as_double(args[2], &lon) || !ixpready_as_double(args[3], &slack)
        || !ixpready_as_double(args[4], &km_per_ms)) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    if (!isfinite(lat) || !isfinite(lon) || !isfinite(slack) || !isfinite(km_per_ms)) {
        Py_RETURN_NONE;
    }
    PyObject *fast = PySequence_Fast(discs, "discs");
    if (fast == NULL) {
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(fast);
    PyObject **items = PySequence_Fast_ITEMS(fast);
    long found = -1;
    int declined = 0;
    for (Py_ssize_t i = 0; i < count && found < 0 && !declined; i++) {
        PyObject *disc = items[i];
        if (!PyTuple_CheckExact(disc) || PyTuple_GET_SIZE(disc) != 2
            || !PyFloat_CheckExact(PyTuple_GET_ITEM(disc, 1))) {
            declined = 1;
            break;
        }
        PyObject *vantage = PyTuple_GET_ITEM(disc, 0);
        double rtt = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(disc, 1));
        PyObject *v_lat = PyObject_GetAttr(vantage, s_latitude);
        PyObject *v_lon = v_lat == NULL ? NULL : PyObject_GetAttr(vantage, s_longitude);
        PyObject *v_unc = v_lon == NULL ? NULL : PyObject_GetAttr(vantage, s_uncertainty_km);
        if (v_unc == NULL) {
            Py_XDECREF(v_lat);
            Py_XDECREF(v_lon);
            Py_DECREF(fast);
            return NULL;
        }
        if (v_lat == Py_None || v_lon == Py_None) { /* no coordinates: passed over */
        }
        else if (!PyFloat_CheckExact(v_lat) || !PyFloat_CheckExact(v_lon)
                 || !PyFloat_CheckExact(v_unc) || !isfinite(rtt)) {
            declined = 1;
        }
        else {
            double reach = (rtt > 0.0 ? rtt * km_per_ms : 0.0) + PyFloat_AS_DOUBLE(v_unc);
            double far = ixpready_haversine_km(PyFloat_AS_DOUBLE(v_lat), PyFloat_AS_DOUBLE(v_lon), lat, lon);
            if (far - slack > reach) {
                found = (long)i;
            }
        }
        Py_DECREF(v_lat);
        Py_DECREF(v_lon);
        Py_DECREF(v_unc);
    }
    Py_DECREF(fast);
    if (declined) {
        Py_RETURN_NONE;
    }
    return PyLong_FromLong(found);
}

PyMethodDef ixpready_geo_methods[] = {
    {"refuting_disc", (PyCFunction)(void (*)(void))refuting_disc, METH_FASTCALL,
     "refuting_disc(discs, lat, lon, slack_km, km_per_ms): the first disc out of reach, or None."},
    {"distance_km", (PyCFunction)(void (*)(void))distance_km, METH_FASTCALL,
     "distance_km(lat1, lon1, lat2, lon2): refdata.gazetteer's great-circle distance (km)."},
    {"nearest_detour", (PyCFunction)(void (*)(void))nearest_detour, METH_FASTCALL,
     "nearest_detour(s, a, b, crossings, uncertainty): analysis.detours.nearest_detour, or None."},
    {NULL, NULL, 0, NULL},
};

int
ixpready_geo_init(void)
{
    if (s_latitude == NULL) {
        s_latitude = PyUnicode_InternFromString("latitude");
        s_longitude = PyUnicode_InternFromString("longitude");
        s_uncertainty_km = PyUnicode_InternFromString("uncertainty_km");
        if (s_latitude == NULL || s_longitude == NULL || s_uncertainty_km == NULL) {
            return -1;
        }
    }
    return 0;
}
