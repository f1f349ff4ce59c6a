# Compiles the Coldbrew C core and links it with libpython into the runtime.
# --wrap=strftime: src/core/cb_libc.c's __wrap_strftime sits in front of musl's.
# --wrap=dlopen,dlsym,dlerror,dlclose: src/core/cb_dlfcn.c answers ctypes from
# symbol tables (build/symbol_table.py); $(OUT)/obj/pythonapi.o is CPython's C
# API as one (ctypes.pythonapi).
# Called by build/inner.sh inside the toolchain:
#   make -f build/runtime.mk SRC=<work tree> PYB=<CPython build> OUT=<dir> LINK_OPT=-O2 LINK_LIBS="..."
# With THREADS=1 (and PYB a pthreads CPython build) the target
# $(OUT)/coldbrew-threads.wasm links the threaded variant: -pthread, a worker
# pool sized at load() by Module.threadWorkers, and no growing of that pool
# while Python runs (a full pool makes pthread_create fail with EAGAIN, which
# Python reports as a RuntimeError naming the option; a worker started then
# could not load while the calling thread is blocked).
CC = emcc
VERSION := $(shell sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' $(SRC)/dist/package.json | head -1)
CFLAGS = -O2 -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
	-I$(PYB)/Include -I$(PYB) -DCOLDBREW_VERSION='"$(VERSION)"'
CORE_SRCS := $(wildcard $(SRC)/src/core/*.c)
CORE_OBJS := $(patsubst $(SRC)/src/core/%.c,$(OUT)/obj/%.o,$(CORE_SRCS)) $(OUT)/obj/pythonapi.o

# The wasm stack holds C locals whose address is taken; CPython's C recursion
# limit (cpython/patches/0001) bounds how deep it goes.
STACK_SIZE ?= 4MB
# A custom build (build/custom_build.py) may set these, and EXTRA_OBJS: its
# own Modules/config.o (the table of built-in modules, some left out), linked
# before libpython so that the archive's copy and the modules only it names
# stay out of the wasm.
INITIAL_MEMORY ?= 32MB
MAXIMUM_MEMORY ?= 4GB
EXTRA_OBJS ?=
RUNTIME_METHODS = FS,ENV,UTF8ToString,stringToUTF8,lengthBytesUTF8,stringToNewUTF8,HEAPU8,HEAPU32,stackAlloc,stackSave,stackRestore

LDFLAGS = $(LINK_OPT) \
	-sMODULARIZE=1 -sEXPORT_NAME=createColdbrewModule -sENVIRONMENT=web,worker,node \
	-sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=$(MAXIMUM_MEMORY) -sINITIAL_MEMORY=$(INITIAL_MEMORY) -sSTACK_SIZE=$(STACK_SIZE) \
	-sWASM_BIGINT=1 -sALLOW_TABLE_GROWTH=1 -sFORCE_FILESYSTEM=1 -sEXIT_RUNTIME=0 -sINVOKE_RUN=0 \
	-sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0 \
	-sEXPORTED_RUNTIME_METHODS=$(RUNTIME_METHODS) \
	-sEXPORTED_FUNCTIONS=_malloc,_free \
	--js-library $(SRC)/src/js/emscripten-strings.js \
	-Wl,--wrap=strftime -Wl,--wrap=dlopen -Wl,--wrap=dlsym -Wl,--wrap=dlerror -Wl,--wrap=dlclose

THREADS ?= 0
ifeq ($(THREADS),1)
# PThread: the pool, which the JS API ends at unload() (src/js/threads.js).
RUNTIME_METHODS := $(RUNTIME_METHODS),PThread
CFLAGS += -pthread
# Each Python thread gets the main thread's stack size, so CPython's C
# recursion limit (sized for it) also protects threads.
LDFLAGS += -pthread -sPTHREAD_POOL_SIZE=Module.threadWorkers -sPTHREAD_POOL_SIZE_STRICT=2 \
	-sDEFAULT_PTHREAD_STACK_SIZE=$(STACK_SIZE) -sEXPORT_NAME=createColdbrewThreadsModule -Wno-pthreads-mem-growth
endif

all: $(OUT)/coldbrew.wasm

$(OUT)/obj/%.o: $(SRC)/src/core/%.c $(SRC)/src/core/coldbrew.h
	@mkdir -p $(OUT)/obj
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/obj/pythonapi.c: $(SRC)/build/symbol_table.py $(PYB)/libpython3.13.a
	@mkdir -p $(OUT)/obj
	python3.13 $(SRC)/build/symbol_table.py python --cpython $(PYB) --archive $(PYB)/libpython3.13.a \
		--name python3.13 --out $@ --cflag=-I$(PYB)/Include --cflag=-I$(PYB) --cflag=-I$(SRC)/src/core

$(OUT)/obj/pythonapi.o: $(OUT)/obj/pythonapi.c $(SRC)/src/core/cb_symbols.h
	$(CC) $(CFLAGS) -I$(SRC)/src/core -Wno-deprecated-declarations -c $< -o $@

$(OUT)/coldbrew.wasm: $(CORE_OBJS) $(SRC)/src/js/emscripten-strings.js
	@mkdir -p $(OUT)/core
	# LINK_LIBS holds paths relative to CPython's build tree: link from there.
	# The map locates the static tables build/static_tables.py takes out.
	cd $(PYB) && $(CC) -o $(OUT)/core/coldbrew.js $(CORE_OBJS) $(EXTRA_OBJS) $(LINK_LIBS) $(LDFLAGS) -Wl,-Map=$(OUT)/coldbrew.map
	mv $(OUT)/core/coldbrew.wasm $(OUT)/coldbrew.wasm
	mv $(OUT)/core/coldbrew.js $(OUT)/coldbrew-core.js

$(OUT)/coldbrew-threads.wasm: $(CORE_OBJS) $(SRC)/src/js/emscripten-strings.js
	@mkdir -p $(OUT)/core
	cd $(PYB) && $(CC) -o $(OUT)/core/coldbrew-threads.js $(CORE_OBJS) $(EXTRA_OBJS) $(LINK_LIBS) $(LDFLAGS)
	mv $(OUT)/core/coldbrew-threads.wasm $(OUT)/coldbrew-threads.wasm
	mv $(OUT)/core/coldbrew-threads.js $(OUT)/coldbrew-threads.js
