// llama_tokenize_many.cpp: llama-tokenize for many strings in one process (the same llama_tokenize call that
// llama.cpp's llama-tokenize tool makes, with add_special = false), so the judge script does not reload the
// vocabulary per string. Input: a file of strings separated by NUL bytes. Output: per string one line
// "ids: 1 2 3" and one line "text: <hex of llama_detokenize(ids, remove_special=false, unparse_special=true)>",
// or "error: ..." for the whole run when the model does not load.
// Build: g++ -O1 -std=c++17 -I$LLAMA/include -I$LLAMA/ggml/include llama_tokenize_many.cpp -L$LLAMA/build/bin -lllama -o tokenize_many
// Run:   LD_LIBRARY_PATH=$LLAMA/build/bin ./tokenize_many MODEL.gguf STRINGS.bin PARSE_SPECIAL(0|1)
#include "llama.h"
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

static void quiet(enum ggml_log_level, const char *, void *) {}

int main(int argc, char ** argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s MODEL STRINGS PARSE_SPECIAL\n", argv[0]); return 2; }
    llama_log_set(quiet, nullptr);
    llama_backend_init();
    auto mp = llama_model_default_params();
    mp.vocab_only = true;
    llama_model * model = llama_model_load_from_file(argv[1], mp);
    if (!model) { printf("error: model did not load\n"); return 0; }
    const llama_vocab * vocab = llama_model_get_vocab(model);
    std::ifstream in(argv[2], std::ios::binary);
    std::stringstream ss; ss << in.rdbuf();
    std::string all = ss.str();
    bool special = argv[3][0] == '1';
    size_t pos = 0;
    while (pos <= all.size()) {
        size_t end = all.find('\0', pos);
        if (end == std::string::npos) break;
        std::string s = all.substr(pos, end - pos);
        pos = end + 1;
        std::vector<llama_token> ids(s.size() * 4 + 16);
        int n = llama_tokenize(vocab, s.data(), (int) s.size(), ids.data(), (int) ids.size(), false, special);
        if (n < 0) { ids.resize(-n); n = llama_tokenize(vocab, s.data(), (int) s.size(), ids.data(), (int) ids.size(), false, special); }
        printf("ids:");
        for (int i = 0; i < n; i++) printf(" %d", ids[i]);
        printf("\n");
        std::vector<char> text(s.size() * 4 + 1024);
        int m = llama_detokenize(vocab, ids.data(), n, text.data(), (int) text.size(), false, true);
        printf("text: ");
        for (int i = 0; i < m; i++) printf("%02x", (unsigned char) text[i]);
        printf("\n");
    }
    llama_model_free(model);
    return 0;
}
