# Compiles the Coldbrew C core and links it with libpython into the runtime.
# Called by build/inner.sh inside the toolchain:
#   make -f build/runtime.mk SRC=<work tree> PYB=<CPython build> OUT=<dir> LINK_OPT=-O2 LINK_LIBS="..."
CC = emcc
VERSION := $(shell sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' $(SRC)/dist/package.json | head -1)
CFLAGS = -O2 -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
	-I$(PYB)/Include -I$(PYB) -DCOLDBREW_VERSION='"$(VERSION)"'
CORE_SRCS := $(wildcard $(SRC)/src/core/*.c)
CORE_OBJS := $(patsubst $(SRC)/src/core/%.c,$(OUT)/obj/%.o,$(CORE_SRCS))

# The wasm stack holds C locals whose address is taken; CPython's C recursion
# limit (cpython/patches/0001) bounds how deep it goes.
STACK_SIZE ?= 4MB

LDFLAGS = $(LINK_OPT) \
	-sMODULARIZE=1 -sEXPORT_NAME=createColdbrewModule -sENVIRONMENT=web,worker,node \
	-sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB -sINITIAL_MEMORY=32MB -sSTACK_SIZE=$(STACK_SIZE) \
	-sWASM_BIGINT=1 -sALLOW_TABLE_GROWTH=1 -sFORCE_FILESYSTEM=1 -sEXIT_RUNTIME=0 -sINVOKE_RUN=0 \
	-sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0 \
	-sEXPORTED_RUNTIME_METHODS=FS,ENV,UTF8ToString,stringToUTF8,lengthBytesUTF8,stringToNewUTF8,HEAPU8,HEAPU32,stackAlloc,stackSave,stackRestore \
	-sEXPORTED_FUNCTIONS=_malloc,_free \
	--js-library $(SRC)/src/js/emscripten-strings.js

all: $(OUT)/coldbrew.wasm

$(OUT)/obj/%.o: $(SRC)/src/core/%.c $(SRC)/src/core/coldbrew.h
	@mkdir -p $(OUT)/obj
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/coldbrew.wasm: $(CORE_OBJS) $(SRC)/src/js/emscripten-strings.js
	@mkdir -p $(OUT)/core
	# LINK_LIBS holds paths relative to CPython's build tree: link from there.
	cd $(PYB) && $(CC) -o $(OUT)/core/coldbrew.js $(CORE_OBJS) $(LINK_LIBS) $(LDFLAGS)
	mv $(OUT)/core/coldbrew.wasm $(OUT)/coldbrew.wasm
	mv $(OUT)/core/coldbrew.js $(OUT)/coldbrew-core.js
