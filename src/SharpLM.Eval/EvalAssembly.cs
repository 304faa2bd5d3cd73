// SharpLM.Eval: metrics (text generation, classification, regression, language modelling), the few-shot
// benchmark harness in the spirit of EleutherAI's lm-evaluation-harness, pairwise LLM-as-judge and reports.
namespace SharpLM.Eval;
