package dev.lbkit.examples.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

  @Test
  void writesNestedValuesInOrder() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("ok", true);
    inner.put("none", null);
    Map<String, Object> outer = new LinkedHashMap<>();
    outer.put("id", "j-1");
    outer.put("n", 2);
    outer.put("score", 0.5);
    outer.put("list", List.of(1, "two", inner));
    assertThat(Json.write(outer))
        .isEqualTo(
            "{\"id\":\"j-1\",\"n\":2,\"score\":0.5,\"list\":[1,\"two\",{\"ok\":true,\"none\":null}]}");
  }

  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    assertThat(Json.write("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
  }

  @Test
  void refusesWhatJsonCannotHold() {
    assertThatThrownBy(() -> Json.write(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("value: NaN (expected: a finite number)");
    assertThatThrownBy(() -> Json.write(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("value: a java.lang.Object (expected: a JSON value)");
  }

  @Test
  void parsesAFlatObject() {
    Map<String, Object> parsed =
        Json.parseObject(
            " { \"s\" : \"a\\u00e9\\n\\/\" , \"i\": -12, \"d\": 1.5e2, \"t\": true, \"f\": false,"
                + " \"z\": null, \"big\": 123456789012345678901234 } ");
    assertThat(parsed)
        .containsExactly(
            Map.entry("s", "aé\n/"),
            Map.entry("i", -12L),
            Map.entry("d", 150.0),
            Map.entry("t", true),
            Map.entry("f", false),
            Map.entry("big", new BigDecimal("123456789012345678901234").doubleValue()));
    assertThat(Json.parseObject("{}")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "[]",
        "{",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":-}",
        "{\"a\":{}}",
        "{\"a\":[1]}",
        "{\"a\":1} x",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"raw\ttab\"}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":null,\"a\":2}",
        "{\"a\":tru}"
      })
  void rejectsWhatIsNotAFlatObject(String text) {
    assertThatThrownBy(() -> Json.parseObject(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("JSON: not an object of scalars (expected: ");
  }

  @Test
  void errorsGivePositionsNeverTheText() {
    assertThatThrownBy(() -> Json.parseObject("{\"secret-key-123\":1,\"secret-key-123\":2}"))
        .hasMessage("JSON: not an object of scalars (expected: no repeated key at 20)")
        .hasMessageNotContaining("secret");
  }

  @Test
  void readsMembersByType() {
    Map<String, Object> o = Json.parseObject("{\"s\":\"x\",\"n\":3,\"d\":0.5}");
    assertThat(Json.string(o, "s")).isEqualTo("x");
    assertThat(Json.integer(o, "n")).isEqualTo(3);
    assertThatThrownBy(() -> Json.string(o, "missing"))
        .hasMessage("missing: missing (expected: a string)");
    assertThatThrownBy(() -> Json.string(o, "n")).hasMessage("n: a Long (expected: a string)");
    assertThatThrownBy(() -> Json.integer(o, "d")).hasMessage("d: a Double (expected: an integer)");
  }
}
