# vers — build, test, sanitizer run.  `make` builds build/vers and build/libvers.a.
# Kernels named *_avx2.c are compiled with AVX2/FMA/F16C and chosen at run time
# (cpu feature check), so the binary still runs on machines without them; *_avx512.c files
# carry their own target pragma (AVX-512 F/BW/VL/DQ/VNNI) and are chosen the same way.

CC      ?= gcc
OPT     ?= -O2
BUILD   ?= build
CFLAGS  ?=
CFLAGS  += $(OPT) -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fopenmp \
           -Iinclude -Isrc -MMD -MP $(EXTRA_CFLAGS)
LDLIBS  += -fopenmp -lm -lpthread -ldl $(EXTRA_LDLIBS)
AVX2FLAGS = -mavx2 -mfma -mf16c

LIB_SRC  := $(sort $(shell find src -name '*.c' -not -path 'src/cli/*' -not -path 'src/mpi/*' -not -path 'src/serve/*'))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
# test doubles (a fake model, a spelling-rule ear): linked into the tests, never the library
TDBL_SRC := $(sort $(wildcard tests/doubles/*.c))
BENCH_SRC:= $(sort $(wildcard bench/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/common_words_data.o $(BUILD)/gen/index_code_id.o
# vers serve's HTTP server (src/serve/, the page embedded), when libmicrohttpd is there;
# without it vers serve says it was built without the server (scripts/setup.sh installs it)
HAVE_MHD := $(shell printf '\043include <microhttpd.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo 1)
SERVE_SRC:= $(if $(HAVE_MHD),$(sort $(wildcard src/serve/*.c)))
SERVE_OBJ:= $(SERVE_SRC:%.c=$(BUILD)/%.o) $(if $(HAVE_MHD),$(BUILD)/gen/serve_page.o)
SERVE_LIBS:= $(if $(HAVE_MHD),-lmicrohttpd)
$(BUILD)/src/cli/cmd_serve.o: CFLAGS += $(if $(HAVE_MHD),-DVERS_HAVE_MHD)
# AdamW's sqrtf is vectorised only when it need not set errno (it never gets a negative
# argument); the results are the same bits (IEEE square root, correctly rounded)
$(BUILD)/src/train/adamw.o: CFLAGS += -fno-math-errno
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TDBL_OBJ := $(TDBL_SRC:%.c=$(BUILD)/%.o)
BENCH_BIN:= $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all test test-san san clean test-browser bench-serve eval eval-write eval-model bench fuzz model forms-doc
# The MPI plugin of vers train (src/train/dist.h), when mpicc is there.
MPICC   ?= $(shell command -v mpicc 2>/dev/null)
MPI_SO  := $(if $(MPICC),$(BUILD)/vers-mpi.so)
all: $(BUILD)/vers $(BUILD)/libvers.a $(TEST_BIN) $(MPI_SO)
	@ln -sf $(BUILD)/vers vers 2>/dev/null || true

$(BUILD)/%_avx2.o: %_avx2.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(AVX2FLAGS) -c $< -o $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/vers-mpi.so: src/mpi/vers_mpi.c src/train/dist.h
	@mkdir -p $(dir $@)
	$(MPICC) $(OPT) -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc -shared -fPIC $(EXTRA_CFLAGS) -o $@ $< $(EXTRA_LDLIBS)

$(BUILD)/libvers.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/vers: $(CLI_OBJ) $(SERVE_OBJ) $(BUILD)/libvers.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(SERVE_OBJ) $(BUILD)/libvers.a $(LDLIBS) $(SERVE_LIBS)

$(BUILD)/gen/serve_page.c: src/serve/page.html scripts/gen-page.sh
	@mkdir -p $(dir $@)
	scripts/gen-page.sh $< $@

$(BUILD)/tests/%: tests/%.c tests/test.h $(TDBL_OBJ) $(BUILD)/libvers.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(TDBL_OBJ) $(BUILD)/libvers.a $(LDLIBS)

# bench_write's independent ear (bench/espeak_ear.h) is espeak-ng; vers itself never links it
$(BUILD)/bench/bench_write: LDLIBS += -lespeak-ng

$(BUILD)/bench/%: bench/%.c $(BUILD)/libvers.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libvers.a $(LDLIBS)

# the trainer's GEMM against OpenBLAS (nothing else links OpenBLAS)
$(BUILD)/bench/train_gemm: bench/train_gemm.c $(BUILD)/libvers.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libvers.a -lopenblas $(LDLIBS)

# The README's test command.
test: all
	@tests/run $(BUILD)

# Whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (CI runs it after `make test`).
test-san san:
	$(MAKE) BUILD=build-san OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	  EXTRA_LDLIBS="-fsanitize=address,undefined" build-san/vers build-san/libvers.a \
	  $(TEST_SRC:tests/%.c=build-san/tests/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  VERS_SANITIZE=1 tests/run build-san

bench: all $(BENCH_BIN)

# vers serve in a real browser (headless Chromium driven by playwright-core): the page writes
# a French sonnet equal to vers write's, colours rhyme letters, shows a broken quatrain's
# violation on its line, saves a screenshot.  Skips with a message without chromium or npm.
test-browser: all
	@tests/browser/run.sh $(BUILD)

# vers serve under load (bench/serve_load.py: 50 clients for 60 s, then the same seeds back to
# back in one process by bench/write_seeds), figures for docs/BENCHMARKS.md
bench-serve: all $(BUILD)/bench/write_seeds
	@bench/serve-load.sh $(BUILD)

# The words a reader knows (lexicon/*.txt, made by scripts/build-lexicon.py from the corpus):
# compiled in as strings, generated in the build directory from the committed lists.
$(BUILD)/gen/common_words_data.c: $(wildcard lexicon/*.txt) scripts/gen-lexicon.sh
	@mkdir -p $(dir $@)
	scripts/gen-lexicon.sh $@

$(BUILD)/gen/common_words_data.o: $(BUILD)/gen/common_words_data.c
	$(CC) $(CFLAGS) -c $< -o $@

# What the writer's rhyme index is made from — the prosody, the word rules, the word lists —
# as one checksum: the index's cache key (src/write/rhyme_trie.c), so that an index cached by
# another build of vers is never read, whatever words a change in them moves.
INDEX_CODE := $(sort $(wildcard src/prosody/*.c src/prosody/*.h lexicon/*.txt) \
                src/write/rhyme_trie.c src/write/lexicon.c src/write/common_words.c src/write/bind_prosody.c src/write/wr.h)
$(BUILD)/gen/index_code_id.c: $(INDEX_CODE)
	@mkdir -p $(dir $@)
	@printf '/* GENERATED by the Makefile: a checksum of the rhyme index sources; do not edit. */\nconst unsigned long long wr_index_code_id = 0x%sull;\n' \
	  $$(cat $(INDEX_CODE) | sha256sum | cut -c1-16) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/index_code_id.o: $(BUILD)/gen/index_code_id.c
	$(CC) $(CFLAGS) -c $< -o $@

# Built-in poem forms: forms/*.form compiled in as strings (the generated file is committed).
src/prosody/forms_builtin.c: $(wildcard forms/*.form) scripts/gen-forms.sh
	scripts/gen-forms.sh $@

# docs/FORMS.md's table of built-in forms, from the forms themselves (a test compares them).
forms-doc: $(BUILD)/vers
	scripts/gen-forms-doc.sh $(BUILD)

eval: all
	@scripts/eval-prosody.sh $(BUILD)

eval-write: all $(BUILD)/bench/bench_write
	@BUILD=$(BUILD) scripts/eval-write.sh

# The shipped model's figures (docs/EVALUATION.md): held-out bits per byte, unseen verse,
# writer success per form, copying.  make eval-model [MODEL=m.gguf] [BEFORE=pre.gguf] [N=10]
eval-model: all $(BUILD)/bench/copy_rate $(BUILD)/bench/heldout_list
	@BUILD=$(BUILD) scripts/eval-model.sh $(MODEL) $(BEFORE)

clean:
	rm -rf build build-san vers

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# libFuzzer targets: every fuzz/*.c becomes build-fuzz/<name>, built with clang and
# ASan+UBSan together with the library sources (run them as docs/RELIABILITY.md says).
# OpenMP pragmas are not compiled (serial); -lgomp provides omp_get_thread_num() etc.
FUZZ_SRC   := $(sort $(wildcard fuzz/*.c))
FUZZ_CC    ?= clang
FUZZ_FLAGS ?= -O1 -g -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -mavx2 -mfma -mf16c \
              -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
              -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
fuzz: $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)
# (the library's generated word lists too: without them the link fails)
build-fuzz/%: fuzz/%.c $(LIB_SRC) $(BUILD)/gen/common_words_data.c $(BUILD)/gen/index_code_id.c
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRC) $(BUILD)/gen/common_words_data.c $(BUILD)/gen/index_code_id.c -lgomp -lm -lpthread

# The shipped model's recipe (docs/TRAINING.md).
model: all
	scripts/train-default-model.sh
