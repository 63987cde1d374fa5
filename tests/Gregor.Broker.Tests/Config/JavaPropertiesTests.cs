using CsCheck;
using Gregor.Broker.Config;

namespace Gregor.Broker.Tests.Config;

public class JavaPropertiesTests
{
    private static Dictionary<string, string> P(string text) => JavaProperties.ParseToDictionary(text);

    [Fact]
    public void Comments_and_blank_lines_are_skipped()
    {
        var p = P("# a comment\n! another\n\n   \n  # indented comment\na=1\n");
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, p);
    }

    [Theory]
    [InlineData("key=value")]
    [InlineData("key = value")]
    [InlineData("key:value")]
    [InlineData("key : value")]
    [InlineData("key value")]
    [InlineData("key\tvalue")]
    [InlineData("   key=value")]
    [InlineData("key   =   value")]
    [InlineData("\f key\t:\tvalue")]
    public void All_separators_give_the_same_pair(string line)
    {
        Assert.Equal("value", P(line)["key"]);
        Assert.Single(P(line));
    }

    [Fact]
    public void Only_the_first_separator_splits_and_trailing_blanks_are_kept()
    {
        Assert.Equal("b=c: d ", P("a=b=c: d ")["a"]);
        Assert.Equal("= v", P("k == v")["k"]);
        Assert.Equal("v", P("k  :v")["k"]);
    }

    [Fact]
    public void A_key_alone_has_an_empty_value()
    {
        var p = P("lonely\nempty=\n");
        Assert.Equal("", p["lonely"]);
        Assert.Equal("", p["empty"]);
    }

    [Fact]
    public void Escapes_are_decoded()
    {
        var p = P(@"k=tab\there\nnew\rret\fff back\\slash \q");
        Assert.Equal("tab\there\nnew\rret\fff back\\slash q", p["k"]);
    }

    [Fact]
    public void Unicode_escapes_are_decoded()
    {
        Assert.Equal("é€A", P(@"k=\u00e9\u20AC\u0041")["k"]);
        Assert.Equal("xy", P(@"\u0078y=1").Keys.Single());
    }

    [Fact]
    public void Malformed_unicode_escape_is_an_error()
    {
        Assert.Throws<FormatException>(() => P(@"k=\u12"));
        Assert.Throws<FormatException>(() => P(@"k=\u12zz"));
    }

    [Fact]
    public void Escaped_separators_and_spaces_belong_to_the_key()
    {
        var p = P(@"a\=b\:c\ d=value");
        Assert.Equal("value", p["a=b:c d"]);
        Assert.Equal(@"x=y", P(@"k=x\=y")["k"]);
    }

    [Fact]
    public void Continuation_lines_join_and_drop_leading_blanks()
    {
        var p = P("list=a,\\\n    b,\\\n\t c\nnext=1");
        Assert.Equal("a,b,c", p["list"]);
        Assert.Equal("1", p["next"]);
    }

    [Fact]
    public void An_even_number_of_trailing_backslashes_does_not_continue()
    {
        var p = P("a=x\\\\\nb=y");
        Assert.Equal("x\\", p["a"]);
        Assert.Equal("y", p["b"]);
    }

    [Fact]
    public void A_continued_line_starting_with_hash_is_not_a_comment()
    {
        Assert.Equal("one#two", P("k=one\\\n  #two")["k"]);
    }

    [Fact]
    public void A_comment_line_never_continues()
    {
        var p = P("# comment \\\nk=v");
        Assert.Equal("v", p["k"]);
    }

    [Fact]
    public void Windows_and_old_mac_line_endings_are_accepted()
    {
        var p = P("a=1\r\nb=2\rc=3");
        Assert.Equal(["1", "2", "3"], new[] { p["a"], p["b"], p["c"] });
    }

    [Fact]
    public void Duplicate_keys_keep_the_last_value_and_the_first_position()
    {
        var pairs = JavaProperties.Parse("a=1\nb=2\na=3\n");
        Assert.Equal(["a", "b"], pairs.Select(p => p.Key));
        Assert.Equal("3", pairs[0].Value);
    }

    [Fact]
    public void Writer_escapes_what_the_reader_would_misread()
    {
        var text = JavaProperties.Format([new("a key=x", " lead\ttab\\ é#!:=")]);
        Assert.Equal("a\\ key\\=x=\\ lead\\ttab\\\\ \\u00E9\\#\\!\\:\\=\n", text);
    }

    [Fact]
    public void Writer_puts_the_comment_first()
    {
        var text = JavaProperties.Format([new("version", "0")], "header");
        Assert.Equal("#header\nversion=0\n", text);
    }

    [Fact]
    public void Store_writes_a_file_that_loads_back()
    {
        var dir = Directory.CreateTempSubdirectory("gregor-config-test");
        try
        {
            var path = Path.Combine(dir.FullName, "meta.properties");
            JavaProperties.Store(path, [new("broker.id", "0"), new("cluster.id", "abc")], "comment");
            Assert.Equal([new("broker.id", "0"), new("cluster.id", "abc")], JavaProperties.Load(path));
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Any_pairs_survive_a_write_and_read()
    {
        var chars = Gen.Char["ab =:#!\\\t\n\r\fé€ \u0001"];
        var str = chars.List[0, 8].Select(l => new string(l.ToArray()));
        var pairs = Gen.Select(chars.List[1, 8].Select(l => new string(l.ToArray())), str).List[0, 6];
        pairs.Sample(list =>
        {
            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in list)
            {
                expected[k] = v;
            }
            var text = JavaProperties.Format(expected);
            Assert.Equal(expected, P(text));
        });
    }
}
