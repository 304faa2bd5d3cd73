// SharpLM.Models: modules, model families as configs, and model file formats.
namespace SharpLM.Models;
