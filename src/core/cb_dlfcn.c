/* cb_dlfcn.c: dlopen() and dlsym() for ctypes, over C linked in statically.
 *
 * Layer 1 (src/core/layers.txt): calls nothing of the core. The runtime is
 * one static wasm: there are no shared libraries, and Emscripten's dlopen()
 * only says "dynamic linking not enabled". Yet ctypes finds everything
 * through dlopen/dlsym: ctypes.pythonapi is PyDLL(None), and a C library is
 * CDLL("libgeo.so"). So the link wraps them (-Wl,--wrap=dlopen,...), and
 * these answer from symbol tables that build/symbol_table.py generates and
 * that register themselves here before main():
 *   - "python<version>": CPython's C API (the stable ABI and the public
 *     headers' functions and data), linked into every runtime;
 *   - in a custom build, each C_LIBRARIES entry and each C_EXTENSIONS entry
 *     marked "ctypes": True (docs/custom-builds.md).
 * dlopen(NULL) is the whole program: dlsym on it searches every table, as on
 * a native build. A path opens the table whose name its file name is, or
 * starts with before a dot, with or without a "lib" prefix ("/x/libgeo.so.1",
 * "geo", "libpython3.13.so", "_ctypes_test.cpython-313-wasm32-emscripten.so"). Anything else
 * fails with a message naming the path and the reason, which ctypes raises
 * as OSError. The tables are read-only after start-up, so threads may look
 * symbols up freely; the error text is per thread, as dlerror()'s must be.
 */
#include <Python.h>
#include <stdio.h>
#include <string.h>

#include "cb_symbols.h"

void *__real_dlopen(const char *path, int flags);
void *__real_dlsym(void *handle, const char *name);
char *__real_dlerror(void);
int __real_dlclose(void *handle);

static cb_library *libraries;          /* registered, newest first */
static cb_library whole_program = {"the whole program", NULL, 0, NULL};   /* dlopen(NULL) */
static _Thread_local char error_text[512];
static _Thread_local int error_pending;

void
cb_dl_register(cb_library *library)
{
    library->next = libraries;
    libraries = library;
}

static void
set_error(const char *format, const char *a, const char *b)
{
    snprintf(error_text, sizeof error_text, format, a, b);
    error_pending = 1;
}

static int
is_ours(void *handle)
{
    if (handle == &whole_program) {
        return 1;
    }
    for (cb_library *l = libraries; l; l = l->next) {
        if (handle == l) {
            return 1;
        }
    }
    return 0;
}

/* Does `base` name the library `name`: the name itself, or the name then a
 * dot and anything ("libgeo.so.1", "python3.13.so")? */
static int
starts_library(const char *base, const char *name)
{
    size_t n = strlen(name);
    return strncmp(base, name, n) == 0 && (base[n] == '\0' || base[n] == '.');
}

/* Does a path's file name name this library, with or without a "lib" prefix
 * on either side ("libgeo.so" and "geo" for libgeo, "libpython3.13.so" for
 * python3.13)? */
static int
names_library(const char *path, const char *name)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (starts_library(base, name)) {
        return 1;
    }
    if (strncmp(base, "lib", 3) == 0 && starts_library(base + 3, name)) {
        return 1;
    }
    return strncmp(name, "lib", 3) == 0 && starts_library(base, name + 3);
}

void *
__wrap_dlopen(const char *path, int flags)
{
    if (path == NULL) {
        return &whole_program;
    }
    for (cb_library *l = libraries; l; l = l->next) {
        if (names_library(path, l->name)) {
            return l;
        }
    }
    set_error("%s: no such library in this build. A WebAssembly build loads no shared libraries: "
              "C code that ctypes calls is linked in (C_LIBRARIES in a custom build, docs/custom-builds.md)%s",
              path, "");
    return NULL;
}

static void *
find(const cb_library *l, const char *name)
{
    size_t lo = 0, hi = l->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, l->symbols[mid].name);
        if (c == 0) {
            return l->symbols[mid].address;
        }
        if (c < 0) {
            hi = mid;
        }
        else {
            lo = mid + 1;
        }
    }
    return NULL;
}

void *
__wrap_dlsym(void *handle, const char *name)
{
    /* RTLD_DEFAULT is NULL in musl: the whole program too. */
    if (handle != NULL && !is_ours(handle)) {
        return __real_dlsym(handle, name);
    }
    if (handle == NULL || handle == &whole_program) {
        for (cb_library *l = libraries; l; l = l->next) {
            void *p = find(l, name);
            if (p) {
                return p;
            }
        }
        set_error("undefined symbol: %s%s", name, "");
        return NULL;
    }
    /* A library of several C files has a table per file, all of one name. */
    const char *library = ((cb_library *)handle)->name;
    for (cb_library *l = libraries; l; l = l->next) {
        void *p = strcmp(l->name, library) == 0 ? find(l, name) : NULL;
        if (p) {
            return p;
        }
    }
    set_error("undefined symbol: %s (in %s)", name, library);
    return NULL;
}

char *
__wrap_dlerror(void)
{
    if (error_pending) {
        error_pending = 0;
        return error_text;
    }
    return __real_dlerror();
}

int
__wrap_dlclose(void *handle)
{
    return is_ours(handle) ? 0 : __real_dlclose(handle);
}

/* The exec slot added to a ctypes-enabled extension: sets __file__. */
static const char *module_files[64];
static PyModuleDef *module_defs[64];
static size_t module_count;

static int
set_module_file(PyObject *module)
{
    PyModuleDef *def = PyModule_GetDef(module);
    for (size_t i = 0; i < module_count; i++) {
        if (module_defs[i] == def) {
            return PyModule_AddStringConstant(module, "__file__", module_files[i]);
        }
    }
    return 0;
}

void *
cb_dl_module_with_file(void *(*init)(void), const char *file, PyModuleDef *copy, PyModuleDef_Slot *slots, size_t room)
{
    PyObject *result = init();
    if (result == NULL) {
        return NULL;
    }
    if (PyModule_Check(result)) {                  /* single-phase initialisation */
        if (PyModule_AddStringConstant(result, "__file__", file) < 0) {
            Py_DECREF(result);
            return NULL;
        }
        return result;
    }
    /* Multi-phase: the same definition with one more exec slot. */
    PyModuleDef *def = (PyModuleDef *)result;
    size_t n = 0;
    while (def->m_slots && def->m_slots[n].slot && n + 2 < room) {
        slots[n] = def->m_slots[n];
        n++;
    }
    if (module_count == sizeof module_defs / sizeof module_defs[0] || (def->m_slots && def->m_slots[n].slot)) {
        return result;                             /* no room: the module works, without __file__ */
    }
    slots[n].slot = Py_mod_exec;
    slots[n].value = (void *)set_module_file;
    slots[n + 1].slot = 0;
    slots[n + 1].value = NULL;
    *copy = *def;
    copy->m_slots = slots;
    module_defs[module_count] = copy;
    module_files[module_count++] = file;
    return PyModuleDef_Init(copy);
}
