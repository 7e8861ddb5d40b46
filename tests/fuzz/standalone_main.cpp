// A driver for the libFuzzer targets when no libFuzzer is at hand (the g++ build under ctest):
// it runs the target on every seed file given, then on a bounded number of mutations of them
// (bit flips, truncations, duplications, splices and random bytes) from a fixed seed, so every
// run is reproducible. scripts/fuzz.sh runs the same targets under real libFuzzer with clang.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string mutate(std::string input, const std::vector<std::string>& seeds, std::mt19937_64& rng) {
  auto pick = [&](std::size_t n) { return n == 0 ? std::size_t{0} : static_cast<std::size_t>(rng() % n); };
  const int steps = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < steps; ++i) {
    switch (rng() % 6) {
      case 0:  // flip a bit
        if (!input.empty()) input[pick(input.size())] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:  // truncate
        input.resize(pick(input.size() + 1));
        break;
      case 2: {  // duplicate a slice
        if (input.empty()) break;
        const auto from = pick(input.size());
        const auto len = pick(input.size() - from + 1);
        input.insert(pick(input.size() + 1), input.substr(from, len));
        break;
      }
      case 3: {  // splice with another seed
        const auto& other = seeds[pick(seeds.size())];
        input = input.substr(0, pick(input.size() + 1)) + other.substr(pick(other.size() + 1));
        break;
      }
      case 4:  // overwrite a byte with an interesting value
        if (!input.empty()) {
          static constexpr unsigned char kValues[] = {0, 1, 0x7f, 0x80, 0xff, '"', '{', '}', '\\'};
          input[pick(input.size())] = static_cast<char>(kValues[rng() % sizeof kValues]);
        }
        break;
      default: {  // insert random bytes
        std::string noise(pick(16) + 1, '\0');
        for (auto& c : noise) c = static_cast<char>(rng());
        input.insert(pick(input.size() + 1), noise);
        break;
      }
    }
  }
  return input;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path(argv[i]);
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) seeds.push_back(read_file(entry.path()));
      }
    } else {
      seeds.push_back(read_file(path));
    }
  }
  if (seeds.empty()) seeds.emplace_back();
  for (const auto& seed : seeds) run(seed);

  const char* env = std::getenv("FUZZ_ITERATIONS");
  const long iterations = env ? std::atol(env) : 50000;
  // FUZZ_LAST_INPUT=file: each mutation is written there before it runs, so after a crash, a
  // hang or an out-of-memory kill the file holds the input that did it (a reproducer to pass
  // back as a seed file).
  const char* last_input = std::getenv("FUZZ_LAST_INPUT");
  std::mt19937_64 rng(20261126);
  for (long i = 0; i < iterations; ++i) {
    const std::string input = mutate(seeds[i % seeds.size()], seeds, rng);
    if (last_input) std::ofstream(last_input, std::ios::binary | std::ios::trunc) << input;
    run(input);
  }
  std::printf("ran %zu seeds and %ld mutations: no crash\n", seeds.size(), iterations);
  return 0;
}
