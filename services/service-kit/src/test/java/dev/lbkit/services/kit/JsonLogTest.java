package dev.lbkit.services.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLogTest {

  @Test
  void aLevelDropsTheLinesBelowIt() {
    List<String> lines = new ArrayList<>();
    JsonLog all = JsonLog.to("t", lines::add);
    JsonLog warnings = all.atLevel("WARNING");
    all.debug("d").write(); // info by default: dropped
    all.info("i").write();
    warnings.info("i2").write();
    warnings.warn("w").write();
    warnings.error("e").write();
    all.atLevel("debug").debug("d2").write();
    assertThat(lines)
        .hasSize(4)
        .anySatisfy(l -> assertThat(l).contains("\"action\":\"i\""))
        .anySatisfy(l -> assertThat(l).contains("\"level\":\"warn\"", "\"action\":\"w\""))
        .anySatisfy(l -> assertThat(l).contains("\"level\":\"debug\"", "\"action\":\"d2\""))
        .noneSatisfy(l -> assertThat(l).contains("\"action\":\"i2\""));
    assertThatThrownBy(() -> all.atLevel("loud"))
        .hasMessage("level: 'loud' (expected: debug, info, warn, warning or error)");
  }
}
