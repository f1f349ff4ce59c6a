/* cb_value.c: values crossing the boundary, as a compact binary record.
 *
 * Every value that crosses between Python and JS is written as a tagged
 * record into linear memory and read back on the other side (src/js/bridge.js
 * holds the JS half of the same format). Nothing goes through JSON text or
 * generated source. The layout (all little-endian, records 4-byte aligned):
 *
 *   tag word, then by tag:
 *   UNDEF/NONE/FALSE/TRUE  nothing
 *   INT      i32
 *   FLOAT    f64 at the next 8-aligned offset
 *   BIGINT   sign word, byte count n, n bytes of magnitude (little-endian)
 *   STR16    length in bytes, UTF-16 code units (lone surrogates kept)
 *   STR8     length, Latin-1 bytes (Python's 1-byte strings as they are)
 *   BYTES    length, bytes
 *   LIST     count, items          DICT  count, (str key, value) pairs
 *   PYOBJ    PyObject*, flags      a Python object held for JS (one new ref)
 *   JSOBJ    handle                a JS value in JS's handle table
 *   JSMETHOD handle, this-handle   a JS function with its `this`
 *
 * Only exact built-in types are copied (None, bool, int, float, str, bytes,
 * list, tuple, dict with str keys), and a container only when everything in
 * it is copyable and it holds no cycle: the encoder writes speculatively and,
 * on meeting anything else, rewinds to the start of the top-level value and
 * sends that whole value as a bridge variable (PYOBJ). Subclasses such as
 * Counter therefore stay live objects. Encoding never runs Python code, so
 * the one output buffer cannot be overwritten while it is being filled.
 */
#include "coldbrew.h"

#include <math.h>
#include <string.h>

/* CB_MAX_DEPTH (cb_protocol.h): deeper containers cross as bridge variables */
/* CB_MAX_COPY_ITEMS (cb_protocol.h): so does a structure with more items than this */

static struct {
    char *data;
    size_t len, cap;
} cb_val_out;

/* The JS-value type of the layer above (cb_jsvar.c), plugged in at start-up
 * (cb_val_set_js_type): records of JS values are written and read through it. */
static struct {
    PyTypeObject *type;
    int (*encode)(PyObject *o);
    PyObject *(*make)(int32_t handle, int32_t this_handle);
} cb_val_js;

void
cb_val_set_js_type(PyTypeObject *type, int (*encode)(PyObject *), PyObject *(*make)(int32_t, int32_t))
{
    cb_val_js.type = type;
    cb_val_js.encode = encode;
    cb_val_js.make = make;
}

static PyObject *
cb_val_js_new(int32_t handle, int32_t this_handle)
{
    if (cb_val_js.make == NULL) {
        return PyErr_Format(PyExc_SystemError, "Coldbrew: a JavaScript value arrived before the Coldbrew module was set up");
    }
    return cb_val_js.make(handle, this_handle);
}

static PyObject *cb_val_path[CB_MAX_DEPTH];   /* containers on the path being encoded */
static long cb_val_nodes;
static long cb_val_live_py;                   /* Python objects currently held by JS */

long
cb_val_live_python(void)
{
    return cb_val_live_py;
}

void
cb_val_released_python(void)
{
    cb_val_live_py--;
}

static int
cb_val_reserve(size_t extra)
{
    size_t need = cb_val_out.len + extra + 8;
    if (need <= cb_val_out.cap) {
        return 0;
    }
    size_t cap = cb_val_out.cap ? cb_val_out.cap : 4096;
    while (cap < need) {
        cap *= 2;
    }
    char *p = realloc(cb_val_out.data, cap);
    if (p == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    cb_val_out.data = p;
    cb_val_out.cap = cap;
    return 0;
}

static int
cb_val_word(uint32_t w)
{
    if (cb_val_reserve(4) < 0) {
        return -1;
    }
    memcpy(cb_val_out.data + cb_val_out.len, &w, 4);
    cb_val_out.len += 4;
    return 0;
}

static void
cb_val_pad4(void)
{
    while (cb_val_out.len & 3) {
        cb_val_out.data[cb_val_out.len++] = 0;
    }
}

static int
cb_val_bytes(uint32_t tag, const void *data, size_t n)
{
    if (n > 0x7fffffff) {
        PyErr_SetString(PyExc_OverflowError, "value too large to cross to JavaScript");
        return -1;
    }
    if (cb_val_reserve(n + 12) < 0) {
        return -1;
    }
    cb_val_word(tag);
    cb_val_word((uint32_t)n);
    memcpy(cb_val_out.data + cb_val_out.len, data, n);
    cb_val_out.len += n;
    cb_val_pad4();
    return 0;
}

static int
cb_val_double(double d)
{
    if (cb_val_word(CB_T_FLOAT) < 0 || cb_val_reserve(12) < 0) {
        return -1;
    }
    if (cb_val_out.len & 7) {
        cb_val_word(0);
    }
    memcpy(cb_val_out.data + cb_val_out.len, &d, 8);
    cb_val_out.len += 8;
    return 0;
}

static int
cb_val_long(PyObject *o)
{
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (!overflow) {
        if (v >= INT32_MIN && v <= INT32_MAX) {
            return (cb_val_word(CB_T_INT) < 0 || cb_val_word((uint32_t)(int32_t)v) < 0) ? -1 : 0;
        }
        if (v >= -(1LL << 53) && v <= (1LL << 53)) {
            return cb_val_double((double)v);
        }
    }
    /* Beyond 2^53: a BigInt, from the magnitude's bytes. */
    int negative = _PyLong_Sign(o) < 0;
    PyObject *mag = negative ? PyNumber_Absolute(o) : Py_NewRef(o);
    if (mag == NULL) {
        return -1;
    }
    int64_t nbits = (int64_t)_PyLong_NumBits(mag);
    size_t n = (size_t)((nbits + 7) / 8);
    int r = -1;
    if (cb_val_reserve(n + 16) == 0) {
        cb_val_word(CB_T_BIGINT);
        cb_val_word((uint32_t)negative);
        cb_val_word((uint32_t)n);
        if (PyLong_AsNativeBytes(mag, cb_val_out.data + cb_val_out.len, (Py_ssize_t)n,
                                 Py_ASNATIVEBYTES_LITTLE_ENDIAN | Py_ASNATIVEBYTES_UNSIGNED_BUFFER) >= 0) {
            cb_val_out.len += n;
            cb_val_pad4();
            r = 0;
        }
    }
    Py_DECREF(mag);
    return r;
}

static int
cb_val_str(PyObject *o)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(o);
    int kind = PyUnicode_KIND(o);
    const void *data = PyUnicode_DATA(o);
    if (kind == PyUnicode_1BYTE_KIND) {
        return cb_val_bytes(CB_T_STR8, data, (size_t)n);
    }
    if (kind == PyUnicode_2BYTE_KIND) {
        return cb_val_bytes(CB_T_STR16, data, (size_t)n * 2);
    }
    /* 4-byte kind: astral characters become surrogate pairs. */
    const Py_UCS4 *u = data;
    size_t units = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        units += u[i] > 0xFFFF ? 2 : 1;
    }
    if (units > 0x3fffffff || cb_val_reserve(units * 2 + 12) < 0) {
        return units > 0x3fffffff ? (PyErr_NoMemory(), -1) : -1;
    }
    cb_val_word(CB_T_STR16);
    cb_val_word((uint32_t)(units * 2));
    uint16_t *dst = (uint16_t *)(cb_val_out.data + cb_val_out.len);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = u[i];
        if (c > 0xFFFF) {
            c -= 0x10000;
            *dst++ = (uint16_t)(0xD800 + (c >> 10));
            *dst++ = (uint16_t)(0xDC00 + (c & 0x3FF));
        } else {
            *dst++ = (uint16_t)c;
        }
    }
    cb_val_out.len += units * 2;
    cb_val_pad4();
    return 0;
}

/* Encodes o; returns 0, 1 when o (or something in it) must be a bridge
 * variable, or -1 with an exception. */
static int
cb_val_plain(PyObject *o, int depth)
{
    if (++cb_val_nodes > CB_MAX_COPY_ITEMS) {
        return 1;
    }
    if (o == Py_None) {
        return cb_val_word(CB_T_NONE);
    }
    if (o == Py_True || o == Py_False) {
        return cb_val_word(o == Py_True ? CB_T_TRUE : CB_T_FALSE);
    }
    PyTypeObject *t = Py_TYPE(o);
    if (t == &PyLong_Type) {
        return cb_val_long(o);
    }
    if (t == &PyFloat_Type) {
        return cb_val_double(PyFloat_AS_DOUBLE(o));
    }
    if (t == &PyUnicode_Type) {
        return cb_val_str(o);
    }
    if (t == &PyBytes_Type) {
        return cb_val_bytes(CB_T_BYTES, PyBytes_AS_STRING(o), (size_t)PyBytes_GET_SIZE(o));
    }
    if (cb_val_js.type != NULL && Py_IS_TYPE(o, cb_val_js.type)) {
        return cb_val_js.encode(o);
    }
    if (t != &PyList_Type && t != &PyTuple_Type && t != &PyDict_Type) {
        return 1;
    }
    if (depth >= CB_MAX_DEPTH) {
        return 1;
    }
    for (int i = 0; i < depth; i++) {
        if (cb_val_path[i] == o) {
            return 1;   /* a cycle */
        }
    }
    cb_val_path[depth] = o;
    int r = 0;
    if (t == &PyDict_Type) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        if (cb_val_word(CB_T_DICT) < 0 || cb_val_word((uint32_t)PyDict_GET_SIZE(o)) < 0) {
            return -1;
        }
        while (r == 0 && PyDict_Next(o, &pos, &k, &v)) {
            if (!PyUnicode_CheckExact(k)) {
                return 1;
            }
            r = cb_val_str(k);
            if (r == 0) {
                r = cb_val_plain(v, depth + 1);
            }
        }
        return r;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    PyObject **items = PySequence_Fast_ITEMS(o);
    if (cb_val_word(CB_T_LIST) < 0 || cb_val_word((uint32_t)n) < 0) {
        return -1;
    }
    for (Py_ssize_t i = 0; r == 0 && i < n; i++) {
        r = cb_val_plain(items[i], depth + 1);
    }
    return r;
}

/* A bridge variable for JS: one new reference, counted. */
static int
cb_val_pyobj(PyObject *o)
{
    uint32_t flags = 0;
    if (PyCallable_Check(o)) {
        flags |= CB_F_CALLABLE;
    }
    if (PyType_Check(o)) {
        flags |= CB_F_CLASS;
    }
    if (Py_TYPE(o)->tp_iter != NULL || PySequence_Check(o)) {
        flags |= CB_F_ITERABLE;
    }
    if (cb_val_word(CB_T_PYOBJ) < 0 || cb_val_word((uint32_t)(uintptr_t)o) < 0 || cb_val_word(flags) < 0) {
        return -1;
    }
    Py_INCREF(o);
    cb_val_live_py++;
    return 0;
}

int
cb_val_put(PyObject *o)
{
    size_t start = cb_val_out.len;
    cb_val_nodes = 0;
    int r = cb_val_plain(o, 0);
    if (r <= 0) {
        return r;
    }
    cb_val_out.len = start;   /* not copyable: the whole value crosses as a bridge variable */
    return cb_val_pyobj(o);
}

int
cb_val_put_bridged(PyObject *o)
{
    return cb_val_pyobj(o);
}

int
cb_val_put_tag(uint32_t tag)
{
    return cb_val_word(tag);
}

int
cb_val_put_words(uint32_t tag, uint32_t a, uint32_t b, int count)
{
    if (cb_val_word(tag) < 0 || (count > 0 && cb_val_word(a) < 0) || (count > 1 && cb_val_word(b) < 0)) {
        return -1;
    }
    return 0;
}

void
cb_val_begin(void)
{
    cb_val_out.len = 0;
}

char *
cb_val_result(void)
{
    return cb_val_out.data;
}

size_t
cb_val_length(void)
{
    return cb_val_out.len;
}

/* ---- reading records written by JS ----------------------------------------- */

static uint32_t
cb_val_get_word(cb_reader *r)
{
    uint32_t w;
    memcpy(&w, r->p, 4);
    r->p += 4;
    return w;
}

static const char *
cb_val_take(cb_reader *r, size_t n)
{
    const char *p = r->p;
    r->p += (n + 3) & ~(size_t)3;
    return p;
}

PyObject *
cb_val_str16(const uint16_t *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (u[i] >= 0xD800 && u[i] <= 0xDFFF) {
            /* Pairs become one character; lone surrogates are kept as they are. */
            int order = -1;
            return PyUnicode_DecodeUTF16((const char *)u, (Py_ssize_t)(n * 2), "surrogatepass", &order);
        }
    }
    return PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, u, (Py_ssize_t)n);
}

PyObject *
cb_val_get(cb_reader *r)
{
    uint32_t tag = cb_val_get_word(r);
    switch (tag) {
    case CB_T_UNDEF:
    case CB_T_NONE:
        return Py_NewRef(Py_None);
    case CB_T_FALSE:
        return Py_NewRef(Py_False);
    case CB_T_TRUE:
        return Py_NewRef(Py_True);
    case CB_T_INT:
        return PyLong_FromLong((int32_t)cb_val_get_word(r));
    case CB_T_FLOAT: {
        if ((uintptr_t)r->p & 7) {
            r->p += 4;
        }
        double d;
        memcpy(&d, r->p, 8);
        r->p += 8;
        /* JS has one number type: whole numbers up to 2^53 become int. */
        if (d == floor(d) && fabs(d) <= 9007199254740992.0 && !(d == 0 && signbit(d))) {
            return PyLong_FromLongLong((long long)d);
        }
        return PyFloat_FromDouble(d);
    }
    case CB_T_BIGINT: {
        int negative = (int)cb_val_get_word(r);
        size_t n = cb_val_get_word(r);
        const char *bytes = cb_val_take(r, n);
        PyObject *v = PyLong_FromUnsignedNativeBytes(bytes, (Py_ssize_t)n, Py_ASNATIVEBYTES_LITTLE_ENDIAN);
        if (v != NULL && negative) {
            Py_SETREF(v, PyNumber_Negative(v));
        }
        return v;
    }
    case CB_T_STR16: {
        size_t n = cb_val_get_word(r);
        return cb_val_str16((const uint16_t *)cb_val_take(r, n), n / 2);
    }
    case CB_T_STR8: {
        size_t n = cb_val_get_word(r);
        return PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, cb_val_take(r, n), (Py_ssize_t)n);
    }
    case CB_T_BYTES: {
        size_t n = cb_val_get_word(r);
        return PyBytes_FromStringAndSize(cb_val_take(r, n), (Py_ssize_t)n);
    }
    case CB_T_LIST: {
        size_t n = cb_val_get_word(r);
        PyObject *list = PyList_New((Py_ssize_t)n);
        for (size_t i = 0; list != NULL && i < n; i++) {
            PyObject *item = cb_val_get(r);
            if (item == NULL) {
                Py_CLEAR(list);
                break;
            }
            PyList_SET_ITEM(list, (Py_ssize_t)i, item);
        }
        return list;
    }
    case CB_T_DICT: {
        size_t n = cb_val_get_word(r);
        PyObject *dict = PyDict_New();
        for (size_t i = 0; dict != NULL && i < n; i++) {
            PyObject *k = cb_val_get(r);
            PyObject *v = k ? cb_val_get(r) : NULL;
            if (v == NULL || PyDict_SetItem(dict, k, v) < 0) {
                Py_CLEAR(dict);
            }
            Py_XDECREF(k);
            Py_XDECREF(v);
        }
        return dict;
    }
    case CB_T_PYOBJ: {
        PyObject *o = (PyObject *)(uintptr_t)cb_val_get_word(r);
        cb_val_get_word(r);   /* flags: only meaningful towards JS */
        return Py_NewRef(o);
    }
    case CB_T_JSOBJ:
        return cb_val_js_new((int32_t)cb_val_get_word(r), -1);
    case CB_T_JSMETHOD: {
        int32_t fn = (int32_t)cb_val_get_word(r);
        int32_t self = (int32_t)cb_val_get_word(r);
        return cb_val_js_new(fn, self);
    }
    default:
        return PyErr_Format(PyExc_SystemError, "Coldbrew: bad value record (tag %u)", tag);
    }
}
