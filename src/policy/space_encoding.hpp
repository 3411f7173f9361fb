#pragma once
/// Configurations as vectors, for the model-based searchers: one coordinate per hyperparameter
/// that is not a constant.
///   - a number is a coordinate in [0, 1]: linear for uniform, logarithmic for loguniform;
///   - an integer or a grid point (randint, lograndint, finrange, logfinrange) owns a cell of
///     [0, 1] (of equal width, or of equal width in log space for the log domains) and is
///     encoded at the cell's centre; any point of the cell decodes to it;
///   - a choice is categorical: its coordinate is the index of the choice.
/// Pure code.

#include "asha/config_space.hpp"

#include <cstddef>
#include <vector>

namespace asha {

class SpaceEncoding {
  public:
    explicit SpaceEncoding(const ConfigSpace& space);

    std::size_t size() const { return dims_.size(); }
    /// Whether coordinate `d` is categorical (a choice), and its number of categories.
    bool categorical(std::size_t d) const { return dims_[d].categories > 0; }
    int categories(std::size_t d) const { return dims_[d].categories; }

    std::vector<double> encode(const Config& config) const;
    /// Any vector: numeric coordinates are clamped to [0, 1], categorical ones to a category.
    Config decode(const std::vector<double>& x) const;

  private:
    struct Dim {
        std::size_t param;   // index in space.params()
        int categories = 0;  // > 0: categorical
    };
    ConfigSpace space_;
    std::vector<Dim> dims_;
};

}  // namespace asha
