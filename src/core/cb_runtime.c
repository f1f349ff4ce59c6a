/* cb_runtime.c: the interpreter's life and the entry points exported to JS.
 *
 * Owns start-up through PyConfig (isolated, UTF-8 mode, no bytecode writing,
 * the standard library read from the zip the loader puts at /lib), and every
 * cb_rt_* function the JS API calls: run source, run a file with cwd/args,
 * chdir/getcwd, the environment, and reset of __main__'s globals.
 *
 * Each export returns 0 on success or -1 after handing the Python exception
 * to JS (cb_err_report), so JS never sees a half-set error state. Strings
 * come in as UTF-8 with an explicit length where they may hold NUL.
 * Environment changes go through os.environ, so Python's view and the C
 * library's stay the same.
 */
#include "coldbrew.h"

#include <emscripten/version.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>


static PyObject *cb_rt_initial_env;       /* dict: os.environ as it was after start-up */
static PyObject *cb_rt_initial_builtins;  /* dict: builtins' names after start-up (for reset) */
static PyObject *cb_rt_initial_modules;   /* dict: sys.modules after start-up (for reset) */

/* Ends an entry point: flush output, report a failure to JS.
 * SystemExit(0) / SystemExit(None) count as success. */
static int
cb_rt_finish(PyObject *result)
{
    cb_mod_flush_stdio();
    if (result != NULL) {
        Py_DECREF(result);
        return 0;
    }
    PyObject *exc = PyErr_GetRaisedException();
    int code;
    if (exc != NULL && cb_err_is_exit(exc, &code) && code == 0) {
        Py_DECREF(exc);
        return 0;
    }
    PyErr_SetRaisedException(exc);
    cb_err_report();
    return -1;
}

static PyObject *
cb_rt_os_environ(void)
{
    PyObject *os = PyImport_ImportModule("os");
    if (os == NULL) {
        return NULL;
    }
    PyObject *environ = PyObject_GetAttrString(os, "environ");
    Py_DECREF(os);
    return environ;
}

static PyObject *
cb_rt_line_buffer(const char *name)
{
    PyObject *f = PySys_GetObject(name);
    if (f == NULL || f == Py_None) {
        Py_RETURN_NONE;
    }
    PyObject *kw = Py_BuildValue("{sO}", "line_buffering", Py_True);
    PyObject *meth = PyObject_GetAttrString(f, "reconfigure");
    PyObject *args = PyTuple_New(0);
    PyObject *r = (kw && meth && args) ? PyObject_Call(meth, args, kw) : NULL;
    Py_XDECREF(kw);
    Py_XDECREF(meth);
    Py_XDECREF(args);
    return r;
}

/* Pre-initialises and initialises CPython: isolated, UTF-8 mode, the
 * standard library zip and site-packages as the only search paths. With
 * argc > 0, argv is a python3 command line of interpreter options only
 * ("python3", "-O", "-W", "error", ...; load({pythonFlags}), checked by the
 * loader): CPython parses it as python3 would, so sys.flags and the settings
 * behind them (-O, -S, -B, -W, -X, ...) mean what they mean there. */
static PyStatus
cb_rt_start_interpreter(int argc, char **argv)
{
    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
    preconfig.utf8_mode = 1;
    PyStatus status;
    if (argc > 0) {
        /* -X dev is read at pre-initialisation (allocators); the isolated
         * default (0) would hide it. */
        preconfig.parse_argv = 1;
        preconfig.dev_mode = -1;
        status = Py_PreInitializeFromBytesArgs(&preconfig, argc, argv);
    } else {
        status = Py_PreInitialize(&preconfig);
    }
    if (PyStatus_Exception(status)) {
        return status;
    }
    if (PyImport_AppendInittab("Coldbrew", cb_mod_init) < 0) {
        return PyStatus_Error("cannot add the Coldbrew module to the built-in modules");
    }
    cb_mod_wrap_table_inits();
    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.write_bytecode = 0;
    config.site_import = 1;
    config.parse_argv = argc > 0;
    if (argc > 0) {
        /* The isolated defaults fix these at 0, which -X dev / -X tracemalloc
         * could then not change; -1 lets the command line decide (the
         * faulthandler stays off: it cannot install its handlers here). */
        config.dev_mode = -1;
        config.tracemalloc = -1;
    }
    config.install_signal_handlers = 1;
    config.module_search_paths_set = 1;
    status = PyConfig_SetString(&config, &config.home, L"/");
    if (!PyStatus_Exception(status)) {
        status = PyConfig_SetString(&config, &config.program_name, L"python3");
    }
    /* The stdlib's place (sys._stdlib_dir): frozen modules (os, abc, codecs,
     * ...) then get a __file__ inside the zip, as on a native CPython they
     * name Lib/, so inspect and linecache find their sources
     * (src/py/_coldbrew/sources.py) and os.path.dirname(os.__file__) works. */
    if (!PyStatus_Exception(status)) {
        status = PyConfig_SetString(&config, &config.stdlib_dir, L"" CB_STDLIB_PATH);
    }
    if (!PyStatus_Exception(status)) {
        status = PyWideStringList_Append(&config.module_search_paths, L"" CB_STDLIB_PATH);
    }
    if (!PyStatus_Exception(status)) {
        status = PyWideStringList_Append(&config.module_search_paths, L"" CB_SITE_PACKAGES_PATH);
    }
    if (!PyStatus_Exception(status)) {
        status = argc > 0 ? PyConfig_SetBytesArgv(&config, argc, argv) : PyWideStringList_Append(&config.argv, L"");
    }
    if (!PyStatus_Exception(status)) {
        status = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    return status;
}

/* sys.version names Emscripten and Coldbrew in its compiler part, as the
 * original Coldbrew's did: "[Clang 19.1.7 (Emscripten 3.1.69 / Coldbrew 0.1.0)]". */
static int
cb_rt_brand_version(void)
{
    PyObject *v = PySys_GetObject("version");   /* borrowed */
    if (v == NULL || !PyUnicode_Check(v)) {
        return 0;
    }
    Py_ssize_t close = PyUnicode_FindChar(v, ']', 0, PyUnicode_GET_LENGTH(v), -1);
    if (close < 0) {
        return close == -1 ? 0 : -1;
    }
    PyObject *head = PyUnicode_Substring(v, 0, close);
    PyObject *tail = head ? PyUnicode_Substring(v, close, PyUnicode_GET_LENGTH(v)) : NULL;
    PyObject *branded = tail ? PyUnicode_FromFormat("%U (Emscripten %d.%d.%d / Coldbrew %s)%U", head,
                                                   __EMSCRIPTEN_major__, __EMSCRIPTEN_minor__, __EMSCRIPTEN_tiny__,
                                                   COLDBREW_VERSION, tail) : NULL;
    int r = branded ? PySys_SetObject("version", branded) : -1;
    Py_XDECREF(head);
    Py_XDECREF(tail);
    Py_XDECREF(branded);
    return r;
}

/* Starts the interpreter (argc/argv: interpreter options, or 0/NULL; see
 * cb_rt_start_interpreter). The loader has already written the standard library
 * zip and set the initial environment (HOME, PWD, ...) before calling this.
 * 0, or -1 after reporting the error (before Python could raise one:
 * CPython's own message on stderr, which the loader shows). */
CB_EXPORT int
cb_rt_init(int argc, char **argv)
{
    PyStatus status = cb_rt_start_interpreter(argc, argv);
    if (PyStatus_Exception(status)) {
        fprintf(stderr, "coldbrew: Python failed to start: %s%s%s\n",
                status.func ? status.func : "", status.func ? ": " : "", status.err_msg ? status.err_msg : "");
        return -1;
    }

    /* The lower layers reach cb_pyobj.c only through what is plugged in here
     * (cb_jsvar.c plugs itself in when the Coldbrew module is made). */
    cb_err_set_hooks(NULL, NULL, cb_py_nesting);

    int rc = -1;
    PyObject *r = NULL, *environ = NULL;
    /* Output reaches JS line by line, as a terminal would show it. */
    CB_FAIL_IF_NULL(r = cb_rt_line_buffer("stdout"));
    CB_FAIL_IF_NEG(cb_mod_install_builtin());
    CB_FAIL_IF_NEG(cb_rt_brand_version());
    CB_FAIL_IF_NEG(cb_threads_install());
    /* What resetenv() and reset() go back to. */
    CB_FAIL_IF_NULL(environ = cb_rt_os_environ());
    CB_FAIL_IF_NULL(cb_rt_initial_env = PyDict_New());
    CB_FAIL_IF_NEG(PyDict_Update(cb_rt_initial_env, environ));
    CB_FAIL_IF_NULL(cb_rt_initial_builtins = PyDict_Copy(PyEval_GetBuiltins()));
    CB_FAIL_IF_NULL(cb_rt_initial_modules = PyDict_Copy(PyImport_GetModuleDict()));
    rc = 0;
done:
    Py_XDECREF(r);
    Py_XDECREF(environ);
    if (rc < 0) {
        cb_err_report();
    }
    return rc;
}

/* Lowers the C recursion budget of the main thread (see the CPython patch). */
CB_EXPORT void
cb_rt_set_c_recursion_limit(int limit)
{
    PyThreadState *tstate = PyThreadState_Get();
    tstate->c_recursion_remaining = limit;
    cb_threads_set_budget(limit);
}

static PyObject *
cb_rt_exec_bytes(PyObject *source, PyObject *filename, PyObject *globals)
{
    PyObject *builtins = PyImport_ImportModule("builtins");
    PyObject *code = builtins ? PyObject_CallMethod(builtins, "compile", "OOs", source, filename, "exec") : NULL;
    Py_XDECREF(builtins);
    if (code == NULL) {
        return NULL;
    }
    PyObject *r = PyEval_EvalCode(code, globals, globals);
    Py_DECREF(code);
    return r;
}

CB_EXPORT int
cb_rt_run(const char *source, size_t length)
{
    PyObject *globals = cb_py_main_dict();
    PyObject *src = globals ? PyBytes_FromStringAndSize(source, (Py_ssize_t)length) : NULL;
    PyObject *filename = src ? PyUnicode_FromString("<string>") : NULL;
    PyObject *r = filename ? cb_rt_exec_bytes(src, filename, globals) : NULL;
    Py_XDECREF(src);
    Py_XDECREF(filename);
    return cb_rt_finish(r);
}

static PyObject *
cb_rt_read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        return PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
    }
    PyObject *parts = PyList_New(0);
    static char buf[65536];   /* static: the wasm stack is small */
    size_t n;
    while (parts && (n = fread(buf, 1, sizeof buf, fp)) > 0) {
        PyObject *chunk = PyBytes_FromStringAndSize(buf, (Py_ssize_t)n);
        if (chunk == NULL || PyList_Append(parts, chunk) < 0) {
            Py_CLEAR(parts);
        }
        Py_XDECREF(chunk);
    }
    int failed = ferror(fp);
    fclose(fp);
    if (parts == NULL) {
        return NULL;
    }
    if (failed) {
        Py_DECREF(parts);
        return PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
    }
    PyObject *empty = PyBytes_FromString("");
    PyObject *r = empty ? _PyBytes_Join(empty, parts) : NULL;
    Py_XDECREF(empty);
    Py_DECREF(parts);
    return r;
}

/* Runs a file as __main__ would: sys.argv = [path, *args], the script's folder
 * first on sys.path, __file__ set; cwd (if given) only for the run. */
CB_EXPORT int
cb_rt_run_file(const char *path, const char *cwd, const char **args, int nargs)
{
    char oldcwd[4096];
    int changed_dir = 0;
    PyObject *r = NULL, *argv = NULL, *filename = NULL, *source = NULL, *dir = NULL;
    PyObject *globals = cb_py_main_dict();
    PyObject *sys_path = PySys_GetObject("path");   /* borrowed */
    int path_inserted = 0;

    CB_FAIL_IF_NULL(globals);
    CB_FAIL_IF_NULL(sys_path);
    if (cwd != NULL && cwd[0]) {
        if (getcwd(oldcwd, sizeof oldcwd) == NULL || chdir(cwd) < 0) {
            PyErr_SetFromErrnoWithFilename(PyExc_OSError, cwd);
            goto done;
        }
        changed_dir = 1;
    }
    CB_FAIL_IF_NULL(argv = PyList_New(0));
    CB_FAIL_IF_NULL(filename = PyUnicode_DecodeFSDefault(path));
    CB_FAIL_IF_NEG(PyList_Append(argv, filename));
    for (int i = 0; i < nargs; i++) {
        PyObject *a = PyUnicode_DecodeFSDefault(args[i]);
        int appended = a ? PyList_Append(argv, a) : -1;
        Py_XDECREF(a);
        CB_FAIL_IF_NEG(appended);
    }
    CB_FAIL_IF_NULL(source = cb_rt_read_file(path));
    CB_FAIL_IF_NEG(PySys_SetObject("argv", argv));
    /* The script's own folder goes first on sys.path, as `python script.py` does. */
    char absdir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        if (getcwd(absdir, sizeof absdir) == NULL) {
            PyErr_SetFromErrno(PyExc_OSError);
            goto done;
        }
        dir = PyUnicode_DecodeFSDefault(absdir);
    } else {
        dir = PyUnicode_DecodeFSDefaultAndSize(path, slash == path ? 1 : (Py_ssize_t)(slash - path));
    }
    CB_FAIL_IF_NULL(dir);
    CB_FAIL_IF_NEG(PyList_Insert(sys_path, 0, dir));
    path_inserted = 1;
    CB_FAIL_IF_NEG(PyDict_SetItemString(globals, "__file__", filename));
    r = cb_rt_exec_bytes(source, filename, globals);
done:
    if (path_inserted) {
        /* Remove our entry even if the script reordered sys.path. */
        PyObject *exc = PyErr_GetRaisedException();
        Py_ssize_t i = PySequence_Index(sys_path, dir);
        if (i >= 0) {
            PySequence_DelItem(sys_path, i);
        }
        PyErr_Clear();
        PyErr_SetRaisedException(exc);
    }
    if (changed_dir && chdir(oldcwd) < 0 && r != NULL) {
        Py_CLEAR(r);
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, oldcwd);
    }
    Py_XDECREF(argv);
    Py_XDECREF(filename);
    Py_XDECREF(source);
    Py_XDECREF(dir);
    return cb_rt_finish(r);
}

CB_EXPORT int
cb_rt_chdir(const char *path)
{
    if (chdir(path) < 0) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
        cb_err_report();
        return -1;
    }
    return 0;
}

/* The working directory as malloc'd UTF-8 (the caller frees), or NULL. */
CB_EXPORT char *
cb_rt_getcwd(void)
{
    return getcwd(NULL, 0);
}

CB_EXPORT int
cb_rt_setenv(const char *key, const char *value)
{
    PyObject *environ = cb_rt_os_environ();
    /* The environment's own rule (UTF-8 mode): invalid bytes as surrogateescape. */
    PyObject *k = environ ? PyUnicode_DecodeUTF8(key, strlen(key), "surrogateescape") : NULL;
    PyObject *v = k ? PyUnicode_DecodeUTF8(value, strlen(value), "surrogateescape") : NULL;
    int r = v ? PyObject_SetItem(environ, k, v) : -1;
    Py_XDECREF(environ);
    Py_XDECREF(k);
    Py_XDECREF(v);
    if (r < 0) {
        cb_err_report();
    }
    return r;
}

CB_EXPORT int
cb_rt_unsetenv(const char *key)
{
    PyObject *environ = cb_rt_os_environ();
    PyObject *k = environ ? PyUnicode_DecodeUTF8(key, strlen(key), "surrogateescape") : NULL;
    PyObject *r = k ? PyObject_CallMethod(environ, "pop", "OO", k, Py_None) : NULL;
    Py_XDECREF(environ);
    Py_XDECREF(k);
    return cb_rt_finish(r);
}

EM_JS(void, cb_js_env_entry, (const char *key, const char *value), {
    Module.coldbrew.envOut[UTF8ToString(key)] = UTF8ToString(value);
});

/* Sends every variable of os.environ to JS (Module.coldbrew.envOut). */
CB_EXPORT int
cb_rt_getenv(void)
{
    PyObject *environ = cb_rt_os_environ();
    PyObject *items = environ ? PyMapping_Items(environ) : NULL;
    Py_XDECREF(environ);
    if (items == NULL) {
        return cb_rt_finish(NULL);
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *kv = PyList_GET_ITEM(items, i);
        PyObject *k = PyUnicode_AsEncodedString(PyTuple_GET_ITEM(kv, 0), "utf-8", "surrogateescape");
        PyObject *v = k ? PyUnicode_AsEncodedString(PyTuple_GET_ITEM(kv, 1), "utf-8", "surrogateescape") : NULL;
        if (v == NULL) {
            Py_XDECREF(k);
            Py_DECREF(items);
            return cb_rt_finish(NULL);
        }
        cb_js_env_entry(PyBytes_AS_STRING(k), PyBytes_AS_STRING(v));
        Py_DECREF(k);
        Py_DECREF(v);
    }
    Py_DECREF(items);
    return 0;
}

CB_EXPORT int
cb_rt_resetenv(void)
{
    PyObject *environ = cb_rt_os_environ();
    PyObject *r = environ ? PyObject_CallMethod(environ, "clear", NULL) : NULL;
    if (r != NULL) {
        Py_SETREF(r, PyObject_CallMethod(environ, "update", "O", cb_rt_initial_env));
    }
    Py_XDECREF(environ);
    return cb_rt_finish(r);
}

/* Puts back what a program may have broken for the next one: file
 * descriptors 0-2 (os.close(1)), sys.stdin/stdout/stderr (closed or
 * replaced), the built-in names (builtins.print = None) and the modules
 * loaded at start-up (sys.modules.clear()). Names a program added stay. */
static int
cb_rt_restore_process(void)
{
    static const char *devices[] = {"/dev/coldbrew-stdin", "/dev/coldbrew-stdout", "/dev/coldbrew-stderr"};
    static const char *names[] = {"stdin", "stdout", "stderr"};
    static const char *originals[] = {"__stdin__", "__stdout__", "__stderr__"};
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            int f = open(devices[fd], fd == 0 ? O_RDONLY : O_WRONLY);
            if (f >= 0 && f != fd) {
                dup2(f, fd);
                close(f);
            }
        }
    }
    PyObject *builtins = PyEval_GetBuiltins();   /* borrowed */
    PyObject *modules = PyImport_GetModuleDict();  /* borrowed */
    if (PyDict_Update(builtins, cb_rt_initial_builtins) < 0) {
        return -1;
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(cb_rt_initial_modules, &pos, &key, &value)) {
        int has = PyDict_Contains(modules, key);
        if (has < 0 || (has == 0 && PyDict_SetItem(modules, key, value) < 0)) {
            return -1;
        }
    }
    PyObject *io = PyImport_ImportModule("io");
    if (io == NULL) {
        return -1;
    }
    for (int fd = 0; fd < 3; fd++) {
        PyObject *f = PySys_GetObject(originals[fd]);   /* borrowed */
        PyObject *closed = f && f != Py_None ? PyObject_GetAttrString(f, "closed") : NULL;
        int usable = closed != NULL && !PyObject_IsTrue(closed);
        Py_XDECREF(closed);
        PyErr_Clear();
        PyObject *stream = NULL;
        if (usable) {
            stream = Py_NewRef(f);
        } else {
            stream = PyObject_CallMethod(io, "open", "isizzzO", fd, fd == 0 ? "r" : "w", -1, "utf-8",
                                         fd == 2 ? "backslashreplace" : "strict", NULL, Py_False);
            if (stream != NULL && PySys_SetObject(originals[fd], stream) < 0) {
                Py_CLEAR(stream);
            }
        }
        if (stream == NULL || PySys_SetObject(names[fd], stream) < 0) {
            Py_XDECREF(stream);
            Py_DECREF(io);
            return -1;
        }
        Py_DECREF(stream);
    }
    Py_DECREF(io);
    PyObject *r = cb_rt_line_buffer("stdout");
    if (r == NULL) {
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

/* Gives __main__ a fresh namespace: user variables, functions and imports
 * made by run() are gone; modules stay loaded in sys.modules. */
CB_EXPORT int
cb_rt_reset(void)
{
    if (cb_rt_restore_process() < 0) {
        return cb_rt_finish(NULL);
    }
    PyObject *globals = cb_py_main_dict();
    if (globals == NULL) {
        return cb_rt_finish(NULL);
    }
    PyObject *builtins = PyImport_ImportModule("builtins");
    if (builtins == NULL) {
        return cb_rt_finish(NULL);
    }
    PyDict_Clear(globals);
    PyObject *name = PyUnicode_FromString("__main__");
    int r = name ? PyDict_SetItemString(globals, "__name__", name) : -1;
    Py_XDECREF(name);
    r |= PyDict_SetItemString(globals, "__doc__", Py_None);
    r |= PyDict_SetItemString(globals, "__builtins__", builtins);
    Py_DECREF(builtins);
    PySys_SetObject("last_exc", NULL);
    PyObject *argv = Py_BuildValue("[s]", "");
    if (argv != NULL) {
        r |= PySys_SetObject("argv", argv);
        Py_DECREF(argv);
    }
    PyGC_Collect();
    return cb_rt_finish(r == 0 && !PyErr_Occurred() ? Py_NewRef(Py_None) : NULL);
}

/* ---- the entry of every async run -------------------------------------------------- */

/* Called through WebAssembly.promising: tells JS that the run has started on
 * the wasm stack (until then, and while it is suspended, other calls into the
 * instance are refused), then runs the requested entry point
 * (CB_PROTOCOL_ENTRIES in cb_protocol.h). */
CB_EXPORT uintptr_t
cb_rt_async_call(int which, uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d)
{
    cb_async_enter();
    switch (which) {
    case CB_ENTRY_RUN:
        return (uintptr_t)cb_rt_run((const char *)a, (size_t)b);
    case CB_ENTRY_RUN_FILE:
        return (uintptr_t)cb_rt_run_file((const char *)a, (const char *)b, (const char **)c, (int)d);
    case CB_ENTRY_CALL_NAMED:
        return (uintptr_t)cb_py_call_named((const char *)a, (int)b, (int)c);
    case CB_ENTRY_LOOKUP:
        return (uintptr_t)cb_py_lookup((const char *)a);
    case CB_ENTRY_GET:
        return (uintptr_t)cb_py_get((PyObject *)a, (const char *)b);
    case CB_ENTRY_CALL:
        return (uintptr_t)cb_py_call((PyObject *)a, (const char *)b, (int)c, (int)d);
    default:   /* CB_ENTRY_CONSTRUCT */
        return (uintptr_t)cb_py_construct((PyObject *)a, (const char *)b, (int)c, (int)d);
    }
}
