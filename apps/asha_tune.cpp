#include "cli/cli.hpp"

int main(int argc, char** argv) {
    return asha::run_cli(argc, argv);
}
