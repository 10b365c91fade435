package dev.lbkit.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** Whatever flat object is written, reading it back gives it again. */
class JsonProperties {

  @Property(tries = 200, seed = "7")
  void stringsRoundTrip(@ForAll @Size(max = 8) Map<String, String> object) {
    assertThat(Json.parseObject(Json.write(object))).isEqualTo(object);
  }

  @Property(tries = 200, seed = "7")
  void integersAndBooleansRoundTrip(
      @ForAll @Size(max = 8) Map<String, Long> integers, @ForAll boolean flag) {
    Map<String, Object> parsed = Json.parseObject(Json.write(integers));
    assertThat(parsed).isEqualTo(integers);
    assertThat(Json.parseObject(Json.write(Map.of("flag", flag)))).containsEntry("flag", flag);
  }

  @Property(tries = 200, seed = "7")
  void finiteDoublesRoundTrip(@ForAll double value) {
    if (Double.isFinite(value)) {
      Object parsed = Json.parseObject(Json.write(Map.of("d", value))).get("d");
      assertThat(((Number) parsed).doubleValue()).isEqualTo(value);
    }
  }
}
