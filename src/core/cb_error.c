/* cb_error.c: errors crossing the boundary, in both directions.
 *
 * Python -> JS: when an entry point fails, cb_err_report() turns the pending
 * exception into a plain record (type, message, filename, line, formatted
 * traceback, exit status for SystemExit) and hands it to JS as
 * Module.coldbrew.pythonError (one error record), where the API wraps it in a Coldbrew.PythonError.
 * The exception object itself is kept as sys.last_exc, as the REPL does.
 *
 * JS -> Python: JS code run from Python stores what it threw in
 * Module.coldbrew.jsError; cb_err_raise_from_js() raises Coldbrew.JavaScriptError
 * with an `error_data` dict (name, message, stack) read field by field, so no
 * value goes through JSON or generated source, and `js_error`, the thrown
 * value itself as a JavaScriptVariable.
 *
 * Identity across a round trip: a JavaScriptError that propagates back out to
 * JS is rethrown there as the original JS value; a PythonError that JS lets
 * propagate back into Python is the original Python exception again (each
 * report carries a serial number, and the exception is still sys.last_exc).
 */
#include "coldbrew.h"

/* What this layer needs from the layers above, plugged in at start-up
 * (cb_err_set_hooks): the JS value that was thrown, as a JavaScriptVariable
 * (cb_jsvar.c); the handle of a JavaScriptVariable, or -1 for anything else;
 * how many JS -> Python calls are running (cb_pyobj.c). */
static struct {
    PyObject *(*wrap_js_error)(void);
    int32_t (*js_handle)(PyObject *o);
    int (*nesting)(void);
} cb_err_hooks;

void
cb_err_set_hooks(PyObject *(*wrap_js_error)(void), int32_t (*js_handle)(PyObject *), int (*nesting)(void))
{
    if (wrap_js_error != NULL) {
        cb_err_hooks.wrap_js_error = wrap_js_error;
    }
    if (js_handle != NULL) {
        cb_err_hooks.js_handle = js_handle;
    }
    if (nesting != NULL) {
        cb_err_hooks.nesting = nesting;
    }
}

static PyObject *cb_err_JavaScriptError;   /* the exception class (strong ref) */
static PyObject *cb_err_last_js;           /* error_data of the last JS error (strong ref) */
static int cb_err_serial;                  /* number of the last exception reported to JS */

/* The texts come as UTF-16 with their byte lengths: NUL and lone surrogates
 * in a message reach JS as they are in Python. */
EM_JS(void, cb_js_report_python_error, (const char *type, const char *message, int message_len,
                                        const char *filename, int filename_len, int line,
                                        const char *traceback, int traceback_len, int is_exit,
                                        int exit_code, int serial, int js_handle), {
    const text = (p, n) => {
        let s = "";
        for (let i = p >> 1, end = (p + n) >> 1; i < end; i += 8192) {
            s += String.fromCharCode.apply(null, HEAPU16.subarray(i, Math.min(end, i + 8192)));
        }
        return s;
    };
    const info = {
        type: UTF8ToString(type),
        message: text(message, message_len),
        filename: filename ? text(filename, filename_len) : null,
        line: line >= 0 ? line : null,
        traceback: text(traceback, traceback_len),
    };
    if (is_exit) info.exitCode = exit_code;
    // The original Coldbrew's names for the same facts, kept for code written against it.
    info.exctype = info.type;
    info.value = info.message;
    info.tb_lineno = info.line;
    if (js_handle >= 0) info.error_data = Module.coldbrew.bridge.jsErrorData(Module.coldbrew.bridge.handleValue(js_handle));
    Module.coldbrew.pythonError = {
        info,
        serial,
        hasJs: js_handle >= 0,
        js: js_handle >= 0 ? Module.coldbrew.bridge.handleValue(js_handle) : undefined,
    };
});

/* The serial number of the PythonError just caught, if it came from this instance. */
EM_JS(int, cb_js_last_error_serial, (void), {
    const e = Module.coldbrew.jsError;
    const serial = (e && typeof e === 'object' && e.cbModule === Module && e.cbSerial) || 0;
    if (serial) Module.coldbrew.jsError = undefined;
    return serial;
});

/* Fields of the JS error just caught, as malloc'd UTF-8 (caller frees):
 * 0 name, 1 message, 2 stack, 3 type (its constructor's name). */
EM_JS(char *, cb_js_last_error_field, (int which), {
    const d = Module.coldbrew.bridge.jsErrorData(Module.coldbrew.jsError);
    return stringToNewUTF8(String([d.name, d.message, d.stack, d.type][which]));
});

int
cb_err_init(PyObject *module)
{
    cb_err_JavaScriptError = PyErr_NewExceptionWithDoc(
        "Coldbrew.JavaScriptError",
        "An error thrown by JavaScript code called from Python; "
        "error_data holds its name, message and stack.",
        NULL, NULL);
    if (cb_err_JavaScriptError == NULL) {
        return -1;
    }
    cb_err_last_js = Py_NewRef(Py_None);
    return PyModule_AddObjectRef(module, "JavaScriptError", cb_err_JavaScriptError);
}

PyObject *
cb_err_last_js_info(void)
{
    return cb_err_last_js ? cb_err_last_js : Py_None;
}

static PyObject *
cb_err_js_field(int which)
{
    char *s = cb_js_last_error_field(which);
    PyObject *r = PyUnicode_DecodeUTF8(s, strlen(s), "replace");
    free(s);
    return r;
}

int
cb_err_raise_from_js(void)
{
    int serial = cb_js_last_error_serial();
    if (serial != 0 && serial == cb_err_serial) {
        PyObject *last = PySys_GetObject("last_exc");   /* borrowed */
        if (last != NULL && PyExceptionInstance_Check(last)) {
            PyErr_SetRaisedException(Py_NewRef(last));
            return -1;
        }
    }
    PyObject *name = cb_err_js_field(0);
    PyObject *message = cb_err_js_field(1);
    PyObject *stack = cb_err_js_field(2);
    PyObject *type = cb_err_js_field(3);
    PyObject *data = NULL, *exc = NULL, *original = NULL, *own = NULL;
    CB_FAIL_IF_NULL(name);
    CB_FAIL_IF_NULL(message);
    CB_FAIL_IF_NULL(stack);
    CB_FAIL_IF_NULL(type);
    /* The thrown value itself (a JavaScriptVariable, or a copy of plain data). */
    CB_FAIL_IF_NULL(original = cb_err_hooks.wrap_js_error != NULL ? cb_err_hooks.wrap_js_error() : Py_NewRef(Py_None));
    /* The JS error's own errorData property, as the original Coldbrew passed it on. */
    if (original == Py_None || PyObject_GetOptionalAttrString(original, "errorData", &own) <= 0) {
        PyErr_Clear();
        own = Py_NewRef(Py_None);
    }
    CB_FAIL_IF_NULL(data = Py_BuildValue("{sOsOsOsOsO}", "type", type, "name", name, "message", message,
                                         "stack", stack, "data", own));
    PyObject *text = PyUnicode_FromFormat("%U: %U", name, message);
    exc = text ? PyObject_CallOneArg(cb_err_JavaScriptError, text) : NULL;
    Py_XDECREF(text);
    CB_FAIL_IF_NULL(exc);
    CB_FAIL_IF_NEG(PyObject_SetAttrString(exc, "error_data", data));
    CB_FAIL_IF_NEG(PyObject_SetAttrString(exc, "js_error", original));
    Py_SETREF(cb_err_last_js, Py_NewRef(data));
    PyErr_SetRaisedException(Py_NewRef(exc));
done:
    Py_XDECREF(name);
    Py_XDECREF(message);
    Py_XDECREF(stack);
    Py_XDECREF(type);
    Py_XDECREF(original);
    Py_XDECREF(own);
    Py_XDECREF(data);
    Py_XDECREF(exc);
    return -1;
}

int
cb_err_is_exit(PyObject *exc, int *code)
{
    if (!PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_SystemExit)) {
        return 0;
    }
    /* As CPython's own exit handling: the `code` attribute (a subclass may
     * compute it); an attribute that raises means status 1. */
    PyObject *saved = PyErr_GetRaisedException();
    PyObject *value = PyObject_GetAttrString(exc, "code");
    if (value == NULL) {
        PyErr_Clear();
        *code = 1;
    } else if (value == Py_None) {
        *code = 0;
    } else if (PyLong_Check(value)) {
        *code = (int)PyLong_AsLong(value);
        if (*code == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            *code = 1;
        }
    } else {
        *code = 1;   /* sys.exit("message"): Python prints it and exits with 1 */
    }
    Py_XDECREF(value);
    PyErr_SetRaisedException(saved);
    return 1;
}

/* Last traceback entry of exc: filename and line where it was raised. */
static void
cb_err_location(PyObject *exc, PyObject **filename, long *line)
{
    *filename = NULL;
    *line = -1;
    if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_SyntaxError)) {
        PySyntaxErrorObject *se = (PySyntaxErrorObject *)exc;
        if (se->filename && PyUnicode_Check(se->filename)) {
            *filename = Py_NewRef(se->filename);
        }
        if (se->lineno && PyLong_Check(se->lineno)) {
            *line = PyLong_AsLong(se->lineno);
        }
        return;
    }
    PyObject *tb = PyException_GetTraceback(exc);
    while (tb != NULL && tb != Py_None) {
        PyObject *next = PyObject_GetAttrString(tb, "tb_next");
        if (next == NULL || next == Py_None) {
            PyObject *frame = PyObject_GetAttrString(tb, "tb_frame");
            PyObject *lineno = PyObject_GetAttrString(tb, "tb_lineno");
            if (frame) {
                PyCodeObject *code = PyFrame_GetCode((PyFrameObject *)frame);
                *filename = Py_NewRef(code->co_filename);
                Py_DECREF(code);
            }
            if (lineno) {
                *line = PyLong_AsLong(lineno);
            }
            Py_XDECREF(frame);
            Py_XDECREF(lineno);
            Py_XDECREF(next);
            break;
        }
        Py_SETREF(tb, next);
    }
    Py_XDECREF(tb);
    PyErr_Clear();
}

/* A traceback written without running Python code (no source lines, no
 * chained exceptions): used when the stack is nearly used up, where the
 * traceback module itself would overflow it. */
static PyObject *
cb_err_plain_traceback(PyObject *exc, PyObject *message)
{
    PyObject *text = PyUnicode_FromString("Traceback (most recent call last):\n");
    PyObject *tb = PyException_GetTraceback(exc);
    while (text != NULL && tb != NULL && tb != Py_None && PyTraceBack_Check(tb)) {
        PyTracebackObject *t = (PyTracebackObject *)tb;
        PyCodeObject *code = PyFrame_GetCode(t->tb_frame);
        PyObject *line = PyUnicode_FromFormat("  File \"%U\", line %d, in %U\n", code->co_filename,
                                              PyFrame_GetLineNumber(t->tb_frame), code->co_name);
        Py_DECREF(code);
        PyUnicode_AppendAndDel(&text, line);
        PyObject *next = t->tb_next ? Py_NewRef((PyObject *)t->tb_next) : NULL;
        Py_SETREF(tb, next);
    }
    Py_XDECREF(tb);
    PyObject *last = PyUnicode_FromFormat("%s: %U\n", _PyType_Name(Py_TYPE(exc)), message);
    PyUnicode_AppendAndDel(&text, last);
    return text;
}

PyObject *
cb_err_info(PyObject *exc)
{
    PyObject *filename = NULL, *message = NULL, *tb_text = NULL, *info = NULL;
    long line;
    const char *type_name = _PyType_Name(Py_TYPE(exc));

    cb_err_location(exc, &filename, &line);
    message = PyObject_Str(exc);
    if (message == NULL) {
        PyErr_Clear();
        message = PyUnicode_FromString("<exception str() failed>");
    }
    /* Deep inside JS <-> Python recursion the stack may be nearly used up:
     * the traceback module's Python code could then overflow it. */
    int roomy = PyThreadState_Get()->c_recursion_remaining > 300 && (cb_err_hooks.nesting == NULL || cb_err_hooks.nesting() < 8);
    PyObject *tbmod = roomy ? PyImport_ImportModule("traceback") : NULL;
    if (tbmod == NULL) {
        tb_text = cb_err_plain_traceback(exc, message);
    } else {
        PyObject *lines = PyObject_CallMethod(tbmod, "format_exception", "O", exc);
        if (lines != NULL) {
            PyObject *empty = PyUnicode_FromString("");
            tb_text = empty ? PyUnicode_Join(empty, lines) : NULL;
            Py_XDECREF(empty);
            Py_DECREF(lines);
        }
        Py_DECREF(tbmod);
    }
    if (tb_text == NULL) {
        PyErr_Clear();
        tb_text = PyUnicode_FromFormat("%s: %S\n", type_name, message);
    }
    info = Py_BuildValue("{sssOsOsOsO}", "type", type_name, "message", message,
                         "filename", filename ? filename : Py_None,
                         "line", line >= 0 ? PyLong_FromLong(line) : Py_NewRef(Py_None),
                         "traceback", tb_text);
    Py_XDECREF(filename);
    Py_XDECREF(message);
    Py_XDECREF(tb_text);
    return info;
}

/* UTF-16 of a str, with lone surrogates kept (surrogatepass) so nothing is lost. */
static PyObject *
cb_err_utf16(PyObject *s)
{
    if (s == NULL || !PyUnicode_Check(s)) {
        return PyBytes_FromString("");
    }
    PyObject *b = PyUnicode_AsEncodedString(s, "utf-16-le", "surrogatepass");
    if (b == NULL) {
        PyErr_Clear();
        b = PyBytes_FromString("");
    }
    return b;
}

void
cb_err_report(void)
{
    PyObject *exc = PyErr_GetRaisedException();
    if (exc == NULL) {
        return;
    }
    PySys_SetObject("last_exc", exc);
    int serial = ++cb_err_serial;
    int js_handle = -1;   /* a JavaScriptError goes back to JS as what was thrown */
    if (PyErr_GivenExceptionMatches(exc, cb_err_JavaScriptError)) {
        PyObject *original = PyObject_GetAttrString(exc, "js_error");
        if (original != NULL && cb_err_hooks.js_handle != NULL) {
            js_handle = cb_err_hooks.js_handle(original);
        }
        Py_XDECREF(original);
        PyErr_Clear();
    }
    int exit_code = 0;
    int is_exit = cb_err_is_exit(exc, &exit_code);
    PyObject *info = cb_err_info(exc);
    if (info == NULL) {
        PyErr_Clear();
        cb_js_report_python_error(_PyType_Name(Py_TYPE(exc)), "", 0, NULL, 0, -1, "", 0, is_exit, exit_code,
                                  serial, js_handle);
        Py_DECREF(exc);
        return;
    }
    PyObject *message = cb_err_utf16(PyDict_GetItemString(info, "message"));
    PyObject *traceback = cb_err_utf16(PyDict_GetItemString(info, "traceback"));
    PyObject *fn = PyDict_GetItemString(info, "filename");
    PyObject *filename = fn != Py_None ? cb_err_utf16(fn) : NULL;
    PyObject *line_obj = PyDict_GetItemString(info, "line");
    long line = line_obj != Py_None ? PyLong_AsLong(line_obj) : -1;
    cb_js_report_python_error(_PyType_Name(Py_TYPE(exc)), PyBytes_AS_STRING(message), (int)PyBytes_GET_SIZE(message),
                              filename ? PyBytes_AS_STRING(filename) : NULL,
                              filename ? (int)PyBytes_GET_SIZE(filename) : 0, (int)line,
                              PyBytes_AS_STRING(traceback), (int)PyBytes_GET_SIZE(traceback), is_exit, exit_code,
                              serial, js_handle);
    Py_XDECREF(message);
    Py_XDECREF(traceback);
    Py_XDECREF(filename);
    Py_DECREF(info);
    Py_DECREF(exc);
    PyErr_Clear();
}
