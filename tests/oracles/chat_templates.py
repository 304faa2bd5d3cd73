#!/usr/bin/env python3
"""Jinja2 oracle for SharpLM's chat-template interpreter.

Renders public chat templates (as published in the models' tokenizer_config.json) with Jinja2 configured the
way Hugging Face transformers' apply_chat_template configures it (ImmutableSandboxedEnvironment,
trim_blocks=True, lstrip_blocks=True, the loopcontrols extension, raise_exception, tojson with
ensure_ascii=False) and writes the templates, conversations and expected outputs to

    tests/SharpLM.Text.Tests/Fixtures/chat-templates.json

Run from the repository root:  python3 tests/oracles/chat_templates.py   (needs Jinja2 3.x)
"""
import json
import os
from jinja2.exceptions import TemplateError
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

TEMPLATES = [
    {
        "name": "qwen2-chatml",
        "source": "Qwen/Qwen2-7B-Instruct tokenizer_config.json chat_template (ChatML with a default system prompt)",
        "bos_token": "", "eos_token": "<|im_end|>",
        "conversations": ["with_system", "no_system"],
        "template": "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
    },
    {
        "name": "llama-2-chat",
        "source": "meta-llama/Llama-2-7b-chat-hf tokenizer_config.json chat_template",
        "bos_token": "<s>", "eos_token": "</s>",
        "conversations": ["with_system", "no_system"],
        "template": "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}",
    },
    {
        "name": "llama-3-instruct",
        "source": "meta-llama/Meta-Llama-3-8B-Instruct tokenizer_config.json chat_template",
        "bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>",
        "conversations": ["with_system", "no_system"],
        "template": "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}",
    },
    {
        "name": "mistral-instruct",
        "source": "mistralai/Mistral-7B-Instruct-v0.1 tokenizer_config.json chat_template",
        "bos_token": "<s>", "eos_token": "</s>",
        "conversations": ["no_system"],
        "template": "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}",
    },
    {
        "name": "zephyr",
        "source": "HuggingFaceH4/zephyr-7b-beta tokenizer_config.json chat_template (relies on trim_blocks/lstrip_blocks)",
        "bos_token": "<s>", "eos_token": "</s>",
        "conversations": ["with_system", "no_system"],
        "template": "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
    },
]

CONVERSATIONS = {
    "with_system": [
        {"role": "system", "content": "You are a friendly chatbot who always responds in the style of a pirate"},
        {"role": "user", "content": "How many helicopters can a human eat in one sitting?"},
        {"role": "assistant", "content": " Arr, none, matey! Helicopters be not for eatin'. "},
        {"role": "user", "content": "What about 你好 and a \"quoted\" word?"},
    ],
    "no_system": [
        {"role": "user", "content": "Hello, how are you?"},
        {"role": "assistant", "content": "I'm doing great. How can I help you today?"},
        {"role": "user", "content": "I'd like to show off how chat templating works!"},
    ],
}


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


def main():
    env = environment()
    cases = []
    for t in TEMPLATES:
        compiled = env.from_string(t["template"])
        for conv in t["conversations"]:
            for gen in (False, True):
                text = compiled.render(messages=CONVERSATIONS[conv], bos_token=t["bos_token"], eos_token=t["eos_token"],
                                       add_generation_prompt=gen)
                cases.append({"template": t["name"], "conversation": conv, "add_generation_prompt": gen, "expected": text})
    out = {"generator": "tests/oracles/chat_templates.py (Jinja2 with Hugging Face apply_chat_template settings)",
           "templates": TEMPLATES, "conversations": CONVERSATIONS, "cases": cases}
    path = os.path.join("tests", "SharpLM.Text.Tests", "Fixtures", "chat-templates.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
