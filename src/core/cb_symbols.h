/* cb_symbols.h: what a generated symbol table (build/symbol_table.py) needs
 * to register itself with cb_dlfcn.c, so that ctypes finds C functions that
 * are linked into the wasm statically (a static WebAssembly build has no
 * shared libraries to dlopen).
 *
 * Kept apart from coldbrew.h: the generated files include CPython's headers
 * or a C extension's own source, and need nothing else of the core.
 */
#ifndef CB_SYMBOLS_H
#define CB_SYMBOLS_H

#include <stddef.h>

typedef struct {
    const char *name;
    void *address;
} cb_symbol;

typedef struct cb_library {
    const char *name;              /* "python3.13", "_ctypes_test", "libgeo" */
    const cb_symbol *symbols;      /* sorted by name (strcmp order) */
    size_t count;
    struct cb_library *next;       /* set by cb_dl_register */
} cb_library;

/* Called from a generated file's constructor, before main(). */
void cb_dl_register(cb_library *library);

/* A C extension that is also a ctypes library (C_EXTENSIONS' "ctypes": True):
 * its module gets __file__ = `file`, the name ctypes.CDLL(module.__file__)
 * opens, as a shared-library extension's would. `init` is the extension's own
 * PyInit function; `copy` and `slots` (room for `room` slots) are the
 * generated file's storage for the module definition with one slot added. */
struct PyModuleDef;
struct PyModuleDef_Slot;
void *cb_dl_module_with_file(void *(*init)(void), const char *file, struct PyModuleDef *copy,
                             struct PyModuleDef_Slot *slots, size_t room);

#endif
