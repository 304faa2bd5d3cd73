using SharpLM.Text.ChatTemplates;
using SharpLM.Text.ChatTemplates.Jinja;
using Xunit;

namespace SharpLM.Text.Tests.ChatTemplates;

public class JinjaTests
{
    private static string R(string template, object? messages = null, bool trim = true)
    {
        var vars = new Dictionary<string, object?>
        {
            ["messages"] = messages ?? new List<object?>
            {
                new Dictionary<string, object?> { ["role"] = "system", ["content"] = " sys " },
                new Dictionary<string, object?> { ["role"] = "user", ["content"] = "Hi there" },
                new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = "Yo" },
            },
            ["bos_token"] = "<s>",
            ["eos_token"] = "</s>",
            ["add_generation_prompt"] = true,
            ["tools"] = new List<object?> { new Dictionary<string, object?> { ["name"] = "f", ["parameters"] = new Dictionary<string, object?> { ["a"] = 1L } } },
        };
        return JinjaTemplate.Parse(template, trim, trim).Render(vars);
    }

    [Theory]
    [InlineData("{{ 1 + 2 * 3 }}", "7")]
    [InlineData("{{ 7 // 2 }},{{ 7 % 3 }},{{ 2 ** 3 }},{{ 7 / 2 }}", "3,1,8,3.5")]
    [InlineData("{{ 'a' ~ 1 ~ none ~ true }}", "a1NoneTrue")]
    [InlineData("{{ 'x' if false else 'y' }}{{ 'z' if true }}", "yz")]
    [InlineData("{{ not false and (1 < 2 or 0) }}", "True")]
    [InlineData("{{ 'ab' in 'cabd' }}{{ 3 not in [1, 2] }}", "TrueTrue")]
    [InlineData("{{ messages[1:] | length }}{{ messages[-1].role }}{{ messages[::-1][0]['role'] }}", "2assistantassistant")]
    [InlineData("{% for m in messages %}{{ loop.index0 }}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }} {% endfor %}", "01TrueFalse3 12FalseFalse3 23FalseTrue3 ")]
    [InlineData("{% for m in messages if m.role != 'system' %}{{ m.role }},{% else %}none{% endfor %}", "user,assistant,")]
    [InlineData("{% for m in [] %}x{% else %}empty{% endfor %}", "empty")]
    [InlineData("{% set x = 1 %}{% for m in messages %}{% set x = 2 %}{% endfor %}{{ x }}", "1")]
    [InlineData("{% set ns = namespace(found=false) %}{% for m in messages %}{% if m.role == 'user' %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}", "True")]
    [InlineData("{% if messages[0]['role'] == 'system' %}S{% elif true %}E{% else %}X{% endif %}", "S")]
    [InlineData("[{{ messages[0].content.strip() }}][{{ messages[0].content | trim }}][{{ ' a b '.split() }}][{{ 'a,b'.split(',') }}]", "[sys][sys][['a', 'b']][['a', 'b']]")]
    [InlineData("{{ 'hello world'.title() }} {{ 'Ab'.upper() }}{{ 'Ab'.lower() }} {{ 'abc'.startswith('ab') }}{{ 'abc'.endswith('x') }}", "Hello World ABab TrueFalse")]
    [InlineData("{{ 'hi' | upper }}{{ 'HI' | lower }}{{ 'hI' | capitalize }}{{ 'aXa' | replace('a', 'b') }}", "HIhiHibXb")]
    [InlineData("{{ undefined_thing | default('d') }}{{ '' | default('e', true) }}{{ [1,2,3] | first }}{{ [1,2,3] | last }}{{ [1,2] | join('-') }}", "de131-2")]
    [InlineData("{{ tools[0] | tojson }}", "{\"name\": \"f\", \"parameters\": {\"a\": 1}}")]
    [InlineData("{{ {'k': 'ü\"'} | tojson }}", "{\"k\": \"ü\\\"\"}")]
    [InlineData("{% for k, v in {'a': 1, 'b': 2} | items %}{{ k }}={{ v }};{% endfor %}{% for k, v in {'c': 3}.items() %}{{ k }}{{ v }}{% endfor %}", "a=1;b=2;c3")]
    [InlineData("{{ {'a': 1}.get('a') }}{{ {'a': 1}.get('b', 'z') }}{{ 'abc' | list }}", "1z['a', 'b', 'c']")]
    [InlineData("{{ x is defined }}{{ messages is defined }}{{ none is none }}{{ 'a' is string }}{{ 1 is not string }}{{ messages[0].name is defined }}", "FalseTrueTrueTrueTrueFalse")]
    [InlineData("{# comment #}a  {{- ' b ' -}}  c", "a b c")]
    [InlineData("{% for i in range(3) %}{% if i == 1 %}{% continue %}{% endif %}{{ i }}{% endfor %}", "02")]
    [InlineData("{% macro greet(n, p='!') %}hi {{ n }}{{ p }}{% endmacro %}{{ greet('bob') }} {{ greet('al', p='?') }}", "hi bob! hi al?")]
    [InlineData("{% set s %}in{{ 1 }}{% endset %}{{ s }}", "in1")]
    [InlineData("{{ bos_token + eos_token }}{{ add_generation_prompt }}", "<s></s>True")]
    public void Expressions_and_statements(string template, string expected) => Assert.Equal(expected, R(template));

    [Fact]
    public void Trim_and_lstrip_blocks_as_hugging_face_configures()
    {
        const string t = "{% for m in messages %}\n    {% if m.role == 'user' %}\n{{ m.content }}\n    {% endif %}\n{% endfor %}";
        Assert.Equal("Hi there\n", R(t));
        Assert.Equal("\n    \n\n    \nHi there\n    \n\n    \n", R(t, trim: false));   // as Jinja2 with its defaults
    }

    [Theory]
    [InlineData("{% if x %}a", 1, 12, "endif")]
    [InlineData("ok\n  {{ 1 + }}", 2, 10, "unexpected")]
    [InlineData("{% for x messages %}{% endfor %}", 1, 10, "'in'")]
    [InlineData("a\nb {% endfor %}", 2, 6, "endfor")]
    [InlineData("{{ 'abc }}", 1, 4, "unterminated")]
    [InlineData("x {{ 1", 1, 3, "unclosed")]
    [InlineData("{% frobnicate %}", 1, 4, "unknown statement")]
    [InlineData("\n\n{{ 'a' | nosuchfilter }}", 3, 8, "unknown filter")]
    [InlineData("{{ raise_exception('boom') }}", 1, 4, "boom")]
    [InlineData("{{ messages.nope.deeper }}", 1, 17, "undefined")]
    public void Errors_name_line_and_column(string template, int line, int column, string fragment)
    {
        var ex = Assert.Throws<JinjaException>(() => R(template));
        Assert.Equal((line, column), (ex.Line, ex.Column));
        Assert.Contains(fragment, ex.Message);
        Assert.StartsWith($"line {line}, column {column}:", ex.Message);
    }

    [Fact]
    public void Tool_calls_and_names_reach_the_template()
    {
        var t = new JinjaChatTemplate("{% for m in messages %}{% if m.tool_calls is defined %}{% for c in m.tool_calls %}{{ c.function.name }}({{ c.function.arguments | tojson }}){% endfor %}{% else %}[{{ m.role }}{% if m.name is defined %}:{{ m.name }}{% endif %}]{{ m.content }}{% endif %}{% endfor %}");
        var r = t.Render([ChatMessage.User("q"), ChatMessage.Assistant("") with { ToolCalls = [new ToolCall("get", "{\"city\": \"Paris\"}")] }, ChatMessage.Tool("sunny", "get")]);
        Assert.Equal("[user]qget({\"city\": \"Paris\"})[tool:get]sunny", r.Text);
    }

    [Fact]
    public void Template_that_measures_content_cannot_report_spans()
    {
        var t = new JinjaChatTemplate("{% for m in messages %}{{ m.content | length }}{% endfor %}");
        Assert.Throws<JinjaException>(() => t.Render([ChatMessage.Assistant("abc")]));
    }

    [Fact]
    public void Reads_tokenizer_config()
    {
        var t = JinjaChatTemplate.FromTokenizerConfig("{\"bos_token\": {\"content\": \"<s>\"}, \"eos_token\": \"</s>\", \"chat_template\": \"{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}\"}");
        var r = t.Render([ChatMessage.User("a"), ChatMessage.Assistant("b")]);
        Assert.Equal("<s>a</s>b</s>", r.Text);
        Assert.Equal([new TextSpan(8, 1)], r.AssistantSpans);
    }
}
