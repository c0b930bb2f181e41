// The _relucert extension: a thin layer over the engine. Conversions of Python objects (numpy,
// torch, Fractions) live in the pure-Python package python/relucert; this file only wires the
// pieces together and turns the engine's input errors into ValueError.
#include "python/src/bindings.hpp"

#include "core/input_error.hpp"

namespace relucert::python {

PYBIND11_MODULE(_relucert, m) {
  m.doc() = "relucert engine bindings (use the `relucert` package, not this module directly)";
  // An InputError is the user's mistake (a bad weight, a wrong box): ValueError, with the same
  // "where: what is wrong" text the CLI prints after "relucert: error: ".
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  bind_network(m);
  bind_check(m);
  bind_pathlift(m);
}

}  // namespace relucert::python
