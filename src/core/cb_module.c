/* cb_module.c: the built-in `Coldbrew` module that Python code sees.
 *
 * It is registered with PyImport_AppendInittab before start-up and then put
 * into builtins, so scripts use `Coldbrew.run(...)` without an import, as the
 * reference does (`import Coldbrew` works too). Functions are listed in one
 * method table; the bridge and async subsystems add theirs here rather than
 * creating a second module.
 */
#include "coldbrew.h"

#include <emscripten/stack.h>
#include <math.h>
#include <string.h>

/* Runs JS source in the global scope (indirect eval). Returns 0, or -1 with
 * the thrown value kept in Module.coldbrew.jsError. */
EM_JS(int, cb_js_run, (const char *source, size_t length), {
    try {
        Module.coldbrew.scope.evaluate(UTF8ToString(source, length));   /* indirect eval (or the page's, in a worker) */
        return 0;
    } catch (e) {
        return Module.coldbrew.jsFailed(e);   /* the one JS-throw handler (bridge.js's failed): -1 */
    }
});

/* Flushes sys.stdout/sys.stderr, keeping any pending error (before JS output and at each run's end). */
void
cb_mod_flush_stdio(void)
{
    static const char *names[] = {"stdout", "stderr"};
    PyObject *exc = PyErr_GetRaisedException();
    for (int i = 0; i < 2; i++) {
        PyObject *f = PySys_GetObject(names[i]);   /* borrowed */
        if (f != NULL && f != Py_None) {
            PyObject *r = PyObject_CallMethod(f, "flush", NULL);
            if (r == NULL) {
                PyErr_Clear();
            }
            Py_XDECREF(r);
        }
    }
    PyErr_SetRaisedException(exc);
}

static PyObject *
cb_mod_run(PyObject *self, PyObject *arg)
{
    if (cb_thread_refuse("Coldbrew.run()")) {
        return NULL;
    }
    if (!PyUnicode_Check(arg)) {
        return PyErr_Format(PyExc_TypeError, "Coldbrew.run() expects JavaScript source as a str, not %.100s",
                            Py_TYPE(arg)->tp_name);
    }
    Py_ssize_t length;
    const char *source = PyUnicode_AsUTF8AndSize(arg, &length);
    if (source == NULL) {
        return NULL;
    }
    cb_mod_flush_stdio();   /* keep Python's and JS's output in order */
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (cb_js_run(source, (size_t)length) < 0) {
        cb_err_raise_from_js();
        return NULL;
    }
    return PyLong_FromLong(0);
}

static PyObject *
cb_mod_get_exception_info(PyObject *self, PyObject *unused)
{
    return Py_NewRef(cb_err_last_js_info());
}

/* The async yield rate lives in the JS API (Module.coldbrew.yieldRate); NaN stands for null. */
EM_JS(double, cb_js_get_yield_rate, (void), {
    const v = Module.coldbrew.yieldRate.get();
    return v === null ? NaN : v;
});
EM_JS(void, cb_js_set_yield_rate, (double rate), {
    Module.coldbrew.yieldRate.set(Number.isNaN(rate) ? null : rate);
});

static PyObject *
cb_mod_get_async_yield_rate(PyObject *self, PyObject *unused)
{
    if (cb_thread_refuse("Coldbrew.get_async_yield_rate()")) {
        return NULL;
    }
    double rate = cb_js_get_yield_rate();
    if (isnan(rate)) {
        Py_RETURN_NONE;
    }
    if (isinf(rate)) {
        return PyFloat_FromDouble(rate);
    }
    return PyLong_FromDouble(rate);
}

static PyObject *
cb_mod_set_async_yield_rate(PyObject *self, PyObject *arg)
{
    double rate = NAN;
    if (cb_thread_refuse("Coldbrew.set_async_yield_rate()")) {
        return NULL;
    }
    if (arg != Py_None) {
        rate = PyFloat_AsDouble(arg);
        if (rate == -1.0 && PyErr_Occurred()) {
            return NULL;
        }
        if (!(rate > 0)) {
            PyErr_SetString(PyExc_ValueError, "the async yield rate must be None or a number greater than 0 "
                            "(float('inf') never yields)");
            return NULL;
        }
    }
    cb_js_set_yield_rate(rate);
    Py_RETURN_NONE;
}

/* Coldbrew.install_packages(): installing wheels is Python code
 * (src/py/_coldbrew/packages.py, which JavaScript's installPackages() drives
 * too); this forwards to it, imported on first use so that start-up does not
 * pay for its imports. */
static PyObject *
cb_mod_install_packages(PyObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *installer = PyImport_ImportModule("_coldbrew.packages");
    if (installer == NULL) {
        return NULL;
    }
    PyObject *install = PyObject_GetAttrString(installer, "install");
    Py_DECREF(installer);
    if (install == NULL) {
        return NULL;
    }
    PyObject *result = PyObject_Call(install, args, kwargs);
    Py_DECREF(install);
    return result;
}

/* ---- tables out of the wasm (build/static_tables.py) -------------------------------- */

/* The built-in modules whose static tables the build may take out of
 * coldbrew.wasm. Their entries in CPython's table of built-in modules are
 * wrapped before start-up (cb_mod_wrap_table_inits): whatever imports one
 * (an import statement, importlib, a \N{...} escape, another interpreter),
 * its init first has the tables written back, or fails with ImportError;
 * it never runs on the zeros left in their place. */
#define CB_TABLE_MODULES(X) X(unicodedata) X(_codecs_cn) X(_codecs_hk) X(_codecs_jp) X(_codecs_kr) X(_codecs_tw)
enum {
#define CB_TM_INDEX(name) CB_TM_##name,
    CB_TABLE_MODULES(CB_TM_INDEX)
    CB_TM_COUNT
};
static const char *const cb_tm_names[CB_TM_COUNT] = {
#define CB_TM_NAME(name) #name,
    CB_TABLE_MODULES(CB_TM_NAME)
};
static PyObject *(*cb_tm_real_init[CB_TM_COUNT])(void);   /* the modules' own PyInit functions */
static int cb_tm_out[CB_TM_COUNT];                         /* 1: its tables are not in memory (yet) */

/* The wrapped init of module i: the tables back first (src/py/_coldbrew/stdlib_bundles.py
 * fetches their bundle and calls Coldbrew._restore_static_tables), then the module's own init. */
static PyObject *
cb_tm_init(int i)
{
    if (cb_tm_out[i]) {
        PyObject *bundles = PyImport_ImportModule("_coldbrew.stdlib_bundles");
        PyObject *r = bundles ? PyObject_CallMethod(bundles, "restore_tables", "s", cb_tm_names[i]) : NULL;
        Py_XDECREF(bundles);
        if (r == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_ImportError)) {   /* bad table data, say: an ImportError caused by it */
                PyObject *cause = PyErr_GetRaisedException();
                PyErr_Format(PyExc_ImportError, "cannot import %s: its tables could not be restored", cb_tm_names[i]);
                PyObject *exc = PyErr_GetRaisedException();
                PyException_SetContext(exc, Py_NewRef(cause));
                PyException_SetCause(exc, cause);
                PyErr_SetRaisedException(exc);
            }
            return NULL;
        }
        Py_DECREF(r);
        cb_tm_out[i] = 0;
    }
    return cb_tm_real_init[i]();
}
#define CB_TM_WRAPPER(name) \
    static PyObject *cb_tm_init_##name(void) { return cb_tm_init(CB_TM_##name); }
CB_TABLE_MODULES(CB_TM_WRAPPER)

void
cb_mod_wrap_table_inits(void)
{
    static PyObject *(*const wrappers[CB_TM_COUNT])(void) = {
#define CB_TM_WRAPPER_NAME(name) cb_tm_init_##name,
        CB_TABLE_MODULES(CB_TM_WRAPPER_NAME)
    };
    for (struct _inittab *t = PyImport_Inittab; t->name != NULL; t++) {
        for (int i = 0; i < CB_TM_COUNT; i++) {
            if (strcmp(t->name, cb_tm_names[i]) == 0 && t->initfunc != wrappers[i]) {
                cb_tm_real_init[i] = t->initfunc;
                t->initfunc = wrappers[i];
                cb_tm_out[i] = 1;
            }
        }
    }
}

/* Coldbrew._tables_out(names): the modules whose tables this wasm lacks (load()
 * says, once Python is up; every other module's are in). Until then all count as
 * out, so an import before it fails rather than run on zeros. */
static PyObject *
cb_mod_tables_out(PyObject *self, PyObject *names)
{
    int out[CB_TM_COUNT] = {0};
    PyObject *iter = PyObject_GetIter(names), *item;
    if (iter == NULL) {
        return NULL;
    }
    while ((item = PyIter_Next(iter)) != NULL) {
        const char *name = PyUnicode_AsUTF8(item);
        int found = -1;
        for (int i = 0; name != NULL && i < CB_TM_COUNT; i++) {
            if (strcmp(name, cb_tm_names[i]) == 0) {
                found = i;
            }
        }
        if (name != NULL && found < 0) {
            PyErr_Format(PyExc_ValueError, "Coldbrew._tables_out: %s has no tables that can be left out", name);
        }
        Py_DECREF(item);
        if (found < 0) {
            Py_DECREF(iter);
            return NULL;
        }
        out[found] = 1;
    }
    Py_DECREF(iter);
    if (PyErr_Occurred()) {
        return NULL;
    }
    for (int i = 0; i < CB_TM_COUNT; i++) {
        cb_tm_out[i] = out[i] && cb_tm_real_init[i] != NULL;   /* a custom build may have left the module out */
    }
    Py_RETURN_NONE;
}

/* Coldbrew._restore_static_tables(data): writes back the static tables that
 * build/static_tables.py took out of the wasm (memory holds zeros there until then). data:
 * b"CBTB", u32 count, count (u32 address, u32 length) pairs, then the bytes,
 * little-endian. Each range must lie in the static data, which sits below the
 * C stack in Emscripten's memory layout. */
static PyObject *
cb_mod_restore_static_tables(PyObject *self, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    const unsigned char *p = view.buf;
    size_t size = (size_t)view.len;
    uint32_t count = 0;
    int ok = size >= 8 && memcmp(p, "CBTB", 4) == 0;
    if (ok) {
        memcpy(&count, p + 4, 4);
        ok = count <= (size - 8) / 8;
    }
    size_t header = ok ? 8 + (size_t)count * 8 : 0, data = header, total = 0;
    for (uint32_t i = 0; ok && i < count; i++) {
        uint32_t address, length;
        memcpy(&address, p + 8 + i * 8, 4);
        memcpy(&length, p + 12 + i * 8, 4);
        ok = address >= 1024 && (uint64_t)address + length <= emscripten_stack_get_end() &&
             length <= size - header - total;
        total += length;
    }
    if (!ok || header + total != size) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "Coldbrew._restore_static_tables: not a table bundle of this runtime");
        return NULL;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t address, length;
        memcpy(&address, p + 8 + i * 8, 4);
        memcpy(&length, p + 12 + i * 8, 4);
        memcpy((void *)(uintptr_t)address, p + data, length);
        data += length;
    }
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyMethodDef cb_mod_methods[] = {
    {"run", cb_mod_run, METH_O,
     "run(js_source) -> 0\n\nRuns JavaScript source in the global scope; raises "
     "Coldbrew.JavaScriptError if it throws."},
    {"get_exception_info", cb_mod_get_exception_info, METH_NOARGS,
     "get_exception_info() -> dict or None\n\nThe error_data (name, message, stack) of the last "
     "JavaScript error raised in Python."},
    {"get_async_yield_rate", cb_mod_get_async_yield_rate, METH_NOARGS,
     "get_async_yield_rate() -> None, a number, or inf\n\nHow often an async run yields to the JavaScript "
     "event loop: None means every few milliseconds of work; a number counts interpreter checks."},
    {"set_async_yield_rate", cb_mod_set_async_yield_rate, METH_O,
     "set_async_yield_rate(rate)\n\nSets it (None, a number > 0, or float('inf') for never)."},
    {"install_packages", (PyCFunction)(void (*)(void))cb_mod_install_packages, METH_VARARGS | METH_KEYWORDS,
     "install_packages(requirements, index_url=None, dependencies=True, user=False) -> list of dicts\n\n"
     "Installs pure-Python wheels (URLs or paths ending in .whl, or names found in index_url, a PEP 503/691 "
     "simple index) and their dependencies; returns [{'name', 'version'}] of what it installed. Raises "
     "Coldbrew.PackageInstallError naming the package and the cause."},
    {"_restore_static_tables", cb_mod_restore_static_tables, METH_O,
     "_restore_static_tables(data)\n\nInternal: writes back a C module's tables (build/static_tables.py)."},
    {"_tables_out", cb_mod_tables_out, METH_O,
     "_tables_out(names)\n\nInternal: the modules whose tables are not in the wasm; their init restores them first."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef cb_mod_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "Coldbrew",
    .m_doc = "Coldbrew: the bridge between this Python and the JavaScript that hosts it.",
    .m_size = -1,
    .m_methods = cb_mod_methods,
};

static int
cb_mod_add_exception(PyObject *m, const char *name, const char *doc)
{
    char qualified[64];
    snprintf(qualified, sizeof qualified, "Coldbrew.%s", name);
    PyObject *type = PyErr_NewExceptionWithDoc(qualified, doc, NULL, NULL);
    if (type == NULL) {
        return -1;
    }
    return PyModule_Add(m, name, type);
}

PyObject *
cb_mod_init(void)
{
    PyObject *m = PyModule_Create(&cb_mod_def);
    if (m == NULL) {
        return NULL;
    }
    if (cb_err_init(m) < 0 || cb_jsv_init(m) < 0 || cb_async_init(m) < 0 ||
        cb_mod_add_exception(m, "PackageInstallError", "A package could not be installed "
                             "(Coldbrew.install_packages, Coldbrew.installPackages); the message names it and why.") < 0 ||
        PyModule_AddStringConstant(m, "version", COLDBREW_VERSION) < 0 ||
        PyModule_AddStringConstant(m, "pyversion", PY_VERSION) < 0 ||
        PyModule_AddStringConstant(m, "module_name", "Coldbrew") < 0 ||
        PyModule_AddStringConstant(m, "module_name_lower", "coldbrew") < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

int
cb_mod_install_builtin(void)
{
    PyObject *m = PyImport_ImportModule("Coldbrew");
    if (m == NULL) {
        return -1;
    }
    PyObject *builtins = PyImport_ImportModule("builtins");
    int r = builtins ? PyObject_SetAttrString(builtins, "Coldbrew", m) : -1;
    Py_XDECREF(builtins);
    Py_DECREF(m);
    return r;
}
