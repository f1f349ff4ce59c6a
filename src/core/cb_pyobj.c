/* cb_pyobj.c: Python objects used from JavaScript.
 *
 * A Python object that JS holds is a raw PyObject* with one strong reference
 * (see CB_T_PYOBJ in cb_value.c); src/js/bridge.js wraps it in a Proxy whose
 * traps call the cb_py_* exports below. Each export takes its operands as
 * value records (a key, a value, call arguments) and returns a pointer to the
 * result record, or 0 after handing the Python exception to JS
 * (cb_err_report), so the JS side stays a thin dispatcher.
 *
 * Name lookup follows transformVariableCasing (the rule: cb_names.c): an
 * exact attribute first, then the snake_case form of a camelCase name
 * (mostCommon -> most_common). An
 * attribute wins over an item; a missing name is `undefined` in JS, not an
 * error, as a JS property would be.
 */
#include "coldbrew.h"

static int cb_py_depth;   /* JS -> Python calls now running */

/* borrowed: __main__.__dict__, where getVariable looks names up and run() runs */
PyObject *
cb_py_main_dict(void)
{
    PyObject *main = PyImport_AddModuleRef("__main__");
    if (main == NULL) {
        return NULL;
    }
    PyObject *d = PyModule_GetDict(main);   /* borrowed; __main__ lives in sys.modules */
    Py_DECREF(main);
    return d;
}

int
cb_py_nesting(void)
{
    return cb_py_depth;
}

/* The result record of an export; consumes `result`. */
static char *
cb_py_done(PyObject *result)
{
    if (result == NULL) {
        cb_err_report();
        return NULL;
    }
    cb_val_begin();
    int r = cb_val_put(result);
    Py_DECREF(result);
    if (r < 0) {
        cb_err_report();
        return NULL;
    }
    return cb_val_result();
}

static char *
cb_py_done_tag(uint32_t tag)
{
    cb_val_begin();
    if (cb_val_put_tag(tag) < 0) {
        cb_err_report();
        return NULL;
    }
    return cb_val_result();
}

static PyObject *
cb_py_read(const char **buf)
{
    cb_reader r = {*buf};
    PyObject *v = cb_val_get(&r);
    *buf = r.p;
    return v;
}

/* The attribute a JS name means: 1 found (*out set), 0 missing, -1 error. */
static int
cb_py_attr(PyObject *o, PyObject *name, PyObject **out, PyObject **used_name)
{
    int r = PyObject_GetOptionalAttr(o, name, out);
    if (r != 0) {
        if (used_name) *used_name = Py_NewRef(name);
        return r;
    }
    if (!cb_names_casing()) {
        return 0;
    }
    PyObject *snake = cb_names_snake(name);
    if (snake == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    r = PyObject_GetOptionalAttr(o, snake, out);
    if (r == 1 && used_name) {
        *used_name = Py_NewRef(snake);
    }
    Py_DECREF(snake);
    return r;
}

static int
cb_py_has_item_protocol(PyObject *o)
{
    PyMappingMethods *m = Py_TYPE(o)->tp_as_mapping;
    PySequenceMethods *s = Py_TYPE(o)->tp_as_sequence;
    return (m && m->mp_subscript) || (s && s->sq_item);
}

/* An item for JS's o[key]: 1 found, 0 missing (KeyError/IndexError), -1 error. */
static int
cb_py_item(PyObject *o, PyObject *key, PyObject **out)
{
    *out = PyObject_GetItem(o, key);
    if (*out != NULL) {
        return 1;
    }
    if (PyErr_ExceptionMatches(PyExc_LookupError) || PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();
        return 0;
    }
    return -1;
}

/* An item for a JS property read that found no attribute: a sequence by
 * index; anything else only when the key is `in` it (so a Counter's or a
 * defaultdict's missing name stays undefined, and is not inserted); never
 * for a class (Counter['x'] would be a generic alias). 1 found, 0 missing, -1 error. */
static int
cb_py_item_if_present(PyObject *o, PyObject *key, PyObject **out)
{
    if (PyType_Check(o) || !cb_py_has_item_protocol(o)) {
        return 0;
    }
    if (PySequence_Check(o)) {
        return cb_py_item(o, key, out);
    }
    PySequenceMethods *s = Py_TYPE(o)->tp_as_sequence;
    if (s == NULL || s->sq_contains == NULL) {
        return 0;
    }
    int has = s->sq_contains(o, key);
    if (has < 0 && PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();   /* an unhashable key: not there */
        has = 0;
    }
    return has <= 0 ? has : cb_py_item(o, key, out);
}

CB_EXPORT char *
cb_py_get(PyObject *o, const char *buf)
{
    PyObject *key = cb_py_read(&buf), *v = NULL;
    if (key == NULL) {
        return cb_py_done(NULL);
    }
    int r = 0;
    if (PyUnicode_Check(key)) {
        r = cb_py_attr(o, key, &v, NULL);
        if (r == 0 && PyUnicode_CompareWithASCIIString(key, "length") == 0 && PyObject_HasAttrString(o, "__len__")) {
            Py_ssize_t n = PyObject_Length(o);
            v = n < 0 ? NULL : PyLong_FromSsize_t(n);
            r = v ? 1 : -1;
        }
    }
    if (r == 0) {
        r = cb_py_item_if_present(o, key, &v);
        if (r == 0 && PyLong_CheckExact(key) && !PySequence_Check(o)) {
            PyObject *skey = PyObject_Str(key);   /* JS property keys are strings: try "0" too */
            r = skey ? cb_py_item_if_present(o, skey, &v) : -1;
            Py_XDECREF(skey);
        }
    }
    Py_DECREF(key);
    if (r == 0) {
        return cb_py_done_tag(CB_T_UNDEF);
    }
    return cb_py_done(r < 0 ? NULL : v);
}

/* The attribute name an assignment from JS means, or NULL for an item. */
static PyObject *
cb_py_target_name(PyObject *o, PyObject *key)
{
    if (!PyUnicode_Check(key)) {
        return NULL;
    }
    if (PyObject_HasAttrWithError(o, key) == 1) {
        return Py_NewRef(key);
    }
    PyErr_Clear();
    PyObject *snake = cb_names_casing() ? cb_names_snake(key) : NULL;
    if (snake != NULL && PyObject_HasAttrWithError(o, snake) == 1) {
        return snake;
    }
    PyErr_Clear();
    PyMappingMethods *m = Py_TYPE(o)->tp_as_mapping;
    if (m && m->mp_ass_subscript) {
        Py_XDECREF(snake);
        return NULL;   /* a new key of a mapping / sequence */
    }
    return snake ? snake : Py_NewRef(key);
}

CB_EXPORT char *
cb_py_set(PyObject *o, const char *buf)
{
    PyObject *key = cb_py_read(&buf);
    PyObject *value = key ? cb_py_read(&buf) : NULL;
    int r = -1;
    if (value != NULL) {
        PyObject *name = cb_py_target_name(o, key);
        r = name ? PyObject_SetAttr(o, name, value) : PyObject_SetItem(o, key, value);
        Py_XDECREF(name);
    }
    Py_XDECREF(key);
    Py_XDECREF(value);
    return r < 0 ? cb_py_done(NULL) : cb_py_done_tag(CB_T_TRUE);
}

CB_EXPORT char *
cb_py_delete(PyObject *o, const char *buf)
{
    PyObject *key = cb_py_read(&buf);
    int r = -1;
    if (key != NULL) {
        PyObject *name = cb_py_target_name(o, key);
        r = name ? PyObject_DelAttr(o, name) : PyObject_DelItem(o, key);
        Py_XDECREF(name);
        if (r < 0 && (PyErr_ExceptionMatches(PyExc_AttributeError) || PyErr_ExceptionMatches(PyExc_KeyError))) {
            PyErr_Clear();   /* deleting what is not there is fine in JS */
            r = 0;
        }
        Py_DECREF(key);
    }
    return r < 0 ? cb_py_done(NULL) : cb_py_done_tag(CB_T_TRUE);
}

/* JS's `key in proxy`: containment when the object has __contains__ (or is
 * iterable), otherwise whether the attribute exists. */
CB_EXPORT char *
cb_py_has(PyObject *o, const char *buf)
{
    PyObject *key = cb_py_read(&buf);
    if (key == NULL) {
        return cb_py_done(NULL);
    }
    int r;
    PySequenceMethods *s = Py_TYPE(o)->tp_as_sequence;
    if ((s && s->sq_contains) || Py_TYPE(o)->tp_iter) {
        r = PySequence_Contains(o, key);
    } else if (PyUnicode_Check(key)) {
        PyObject *v = NULL;
        r = cb_py_attr(o, key, &v, NULL);
        Py_XDECREF(v);
    } else {
        r = 0;
    }
    Py_DECREF(key);
    return r < 0 ? cb_py_done(NULL) : cb_py_done_tag(r ? CB_T_TRUE : CB_T_FALSE);
}

/* Calls o with (if has_kw) a DICT of keywords, then nargs positional values. */
static PyObject *
cb_py_call_records(PyObject *o, const char *buf, int nargs, int has_kw)
{
    PyObject *small[8];
    PyObject *kw = NULL, *kwnames = NULL, *result = NULL;
    Py_ssize_t nkw = 0;
    PyObject **args = small;
    int got = 0;
    cb_reader r = {buf};
    if (has_kw) {
        kw = cb_val_get(&r);   /* keywords come first in the record */
        if (kw == NULL) {
            return NULL;
        }
        if (!PyDict_Check(kw)) {
            Py_DECREF(kw);
            return PyErr_Format(PyExc_TypeError, "PythonKeywords needs a plain object of names to values");
        }
        nkw = PyDict_GET_SIZE(kw);
    }
    Py_ssize_t total = nargs + nkw;
    if (total > 8) {
        args = PyMem_Malloc(sizeof(PyObject *) * (size_t)total);
        if (args == NULL) {
            Py_XDECREF(kw);
            return PyErr_NoMemory();
        }
    }
    for (; got < nargs; got++) {
        CB_FAIL_IF_NULL(args[got] = cb_val_get(&r));
    }
    if (nkw) {
        CB_FAIL_IF_NULL(kwnames = PyTuple_New(nkw));
        Py_ssize_t pos = 0, i = 0;
        PyObject *k, *v;
        while (PyDict_Next(kw, &pos, &k, &v)) {
            PyTuple_SET_ITEM(kwnames, i, Py_NewRef(k));
            args[nargs + i] = Py_NewRef(v);
            i++;
            got++;
        }
    }
    cb_py_depth++;
    result = PyObject_Vectorcall(o, args, (size_t)nargs, kwnames);
    cb_py_depth--;
done:
    for (int i = 0; i < got; i++) {
        Py_DECREF(args[i]);
    }
    if (args != small) {
        PyMem_Free(args);
    }
    Py_XDECREF(kw);
    Py_XDECREF(kwnames);
    return result;
}

CB_EXPORT char *
cb_py_call(PyObject *o, const char *buf, int nargs, int has_kw)
{
    return cb_py_done(cb_py_call_records(o, buf, nargs, has_kw));
}

CB_EXPORT char *
cb_py_construct(PyObject *o, const char *buf, int nargs, int has_kw)
{
    if (!PyType_Check(o)) {
        PyErr_Format(PyExc_TypeError, "'%.100s' object is not a class: call it without `new`",
                     Py_TYPE(o)->tp_name);
        return cb_py_done(NULL);
    }
    return cb_py_done(cb_py_call_records(o, buf, nargs, has_kw));
}

/* A new reference to iter(o) for JS to step through, or 0 after an error. */
CB_EXPORT PyObject *
cb_py_iter(PyObject *o)
{
    PyObject *it = PyObject_GetIter(o);
    if (it == NULL) {
        cb_err_report();
    }
    return it;
}

CB_EXPORT char *
cb_py_next(PyObject *it)
{
    PyObject *v = PyIter_Next(it);
    if (v == NULL && !PyErr_Occurred()) {
        return cb_py_done_tag(CB_T_STOP);
    }
    return cb_py_done(v);
}

CB_EXPORT char *
cb_py_str(PyObject *o, int repr)
{
    return cb_py_done(repr ? PyObject_Repr(o) : PyObject_Str(o));
}

CB_EXPORT char *
cb_py_type(PyObject *o)
{
    return cb_py_done(PyType_GetName(Py_TYPE(o)));   /* the bare class name: Counter, MyClass, int */
}

/* dir(o), as JS would name the attributes. */
CB_EXPORT char *
cb_py_dir(PyObject *o)
{
    PyObject *names = PyObject_Dir(o);
    if (names == NULL || !cb_names_casing()) {
        return cb_py_done(names);
    }
    Py_ssize_t n = PyList_GET_SIZE(names);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *camel = cb_names_camel(PyList_GET_ITEM(names, i));
        if (camel == NULL && PyErr_Occurred()) {
            Py_DECREF(names);
            return cb_py_done(NULL);
        }
        if (camel != NULL) {
            PyList_SetItem(names, i, camel);
        }
    }
    return cb_py_done(names);
}

/* What JSON.stringify should see: containers and scalars (subclasses too)
 * as plain values, anything else as its str(). */
static PyObject *
cb_py_jsonable(PyObject *o, int depth)
{
    if (depth > 100) {
        return PyObject_Str(o);
    }
    if (o == Py_None || PyBool_Check(o)) {
        return Py_NewRef(o);
    }
    if (PyLong_Check(o)) {
        return PyNumber_Long(o);
    }
    if (PyFloat_Check(o)) {
        return PyFloat_FromDouble(PyFloat_AsDouble(o));
    }
    if (PyUnicode_Check(o)) {
        return PyUnicode_FromObject(o);
    }
    if (PyDict_Check(o)) {
        PyObject *d = PyDict_New();
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (d && PyDict_Next(o, &pos, &k, &v)) {
            PyObject *sk = PyUnicode_Check(k) ? PyUnicode_FromObject(k) : PyObject_Str(k);
            PyObject *sv = sk ? cb_py_jsonable(v, depth + 1) : NULL;
            if (sv == NULL || PyDict_SetItem(d, sk, sv) < 0) {
                Py_CLEAR(d);
            }
            Py_XDECREF(sk);
            Py_XDECREF(sv);
        }
        return d;
    }
    if (PyList_Check(o) || PyTuple_Check(o) || PyAnySet_Check(o)) {
        PyObject *seq = PySequence_List(o);
        for (Py_ssize_t i = 0; seq && i < PyList_GET_SIZE(seq); i++) {
            PyObject *item = cb_py_jsonable(PyList_GET_ITEM(seq, i), depth + 1);
            if (item == NULL) {
                Py_CLEAR(seq);
                break;
            }
            PyList_SetItem(seq, i, item);
        }
        return seq;
    }
    return PyObject_Str(o);
}

CB_EXPORT char *
cb_py_to_json(PyObject *o)
{
    /* The object's own to_json(), as the original Coldbrew called it. */
    PyObject *own = NULL;
    if (PyObject_GetOptionalAttrString(o, "to_json", &own) < 0) {
        return cb_py_done(NULL);
    }
    if (own != NULL && PyCallable_Check(own)) {
        PyObject *r = PyObject_CallNoArgs(own);
        Py_DECREF(own);
        return cb_py_done(r);
    }
    Py_XDECREF(own);
    return cb_py_done(cb_py_jsonable(o, 0));
}

/* Is s a dotted path of identifiers ("x", "os.path")? */
static int
cb_py_is_path(PyObject *s)
{
    PyObject *dot = PyUnicode_FromString(".");
    PyObject *parts = dot ? PyUnicode_Split(s, dot, -1) : NULL;
    Py_XDECREF(dot);
    int ok = parts != NULL;
    for (Py_ssize_t i = 0; ok && i < PyList_GET_SIZE(parts); i++) {
        ok = PyUnicode_IsIdentifier(PyList_GET_ITEM(parts, i));
    }
    Py_XDECREF(parts);
    PyErr_Clear();
    return ok;
}

/* The object a name means: a dotted path is looked up in __main__'s globals,
 * then builtins; anything else is evaluated there as an expression, as
 * Coldbrew.run() would run it. */
static PyObject *
cb_py_resolve(PyObject *path)
{
    if (!cb_py_is_path(path)) {
        PyObject *globals = cb_py_main_dict();
        const char *src = globals ? PyUnicode_AsUTF8(path) : NULL;
        return src ? PyRun_String(src, Py_eval_input, globals, globals) : NULL;
    }
    PyObject *dot = PyUnicode_FromString(".");
    PyObject *parts = dot ? PyUnicode_Split(path, dot, -1) : NULL;
    Py_XDECREF(dot);
    if (parts == NULL) {
        return NULL;
    }
    PyObject *first = PyList_GET_ITEM(parts, 0);
    PyObject *globals = cb_py_main_dict();
    PyObject *v = globals ? PyDict_GetItemWithError(globals, first) : NULL;
    if (v == NULL && !PyErr_Occurred()) {
        PyObject *builtins = PyEval_GetBuiltins();
        v = PyDict_GetItemWithError(builtins, first);
    }
    if (v == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_NameError, "name '%U' is not defined", first);
        }
        Py_DECREF(parts);
        return NULL;
    }
    Py_INCREF(v);
    for (Py_ssize_t i = 1; v && i < PyList_GET_SIZE(parts); i++) {
        PyObject *next = NULL;
        int r = cb_py_attr(v, PyList_GET_ITEM(parts, i), &next, NULL);
        if (r == 0) {
            PyErr_Format(PyExc_AttributeError, "'%.100s' object has no attribute '%U'",
                         Py_TYPE(v)->tp_name, PyList_GET_ITEM(parts, i));
        }
        Py_SETREF(v, next);
    }
    Py_DECREF(parts);
    return v;
}

CB_EXPORT char *
cb_py_lookup(const char *buf)
{
    PyObject *name = cb_py_read(&buf);
    if (name == NULL || !PyUnicode_Check(name)) {
        if (name != NULL) {
            PyErr_SetString(PyExc_TypeError, "a Python variable name must be a string");
        }
        Py_XDECREF(name);
        return cb_py_done(NULL);
    }
    PyObject *v = cb_py_resolve(name);
    Py_DECREF(name);
    return cb_py_done(v);
}

/* runFunction(name, ...args): look up and call in one step. */
CB_EXPORT char *
cb_py_call_named(const char *buf, int nargs, int has_kw)
{
    PyObject *name = cb_py_read(&buf);
    PyObject *fn = name ? cb_py_resolve(name) : NULL;
    Py_XDECREF(name);
    if (fn == NULL) {
        return cb_py_done(NULL);
    }
    PyObject *r = cb_py_call_records(fn, buf, nargs, has_kw);
    Py_DECREF(fn);
    return cb_py_done(r);
}

CB_EXPORT void
cb_py_release(PyObject *o)
{
    cb_val_released_python();
    Py_DECREF(o);
}

/* Drops a reference JS held privately (an iterator it stepped through). */
CB_EXPORT void
cb_py_decref(PyObject *o)
{
    Py_DECREF(o);
}

CB_EXPORT int
cb_py_live_count(void)
{
    return (int)cb_val_live_python();
}
