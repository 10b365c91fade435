package dev.lbkit.benchmarks.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.benchmarks.placement.MarkedRegions.Region;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Generated regions are replaced; the prose around them is kept byte for byte. */
class MarkedRegionsTest {

  private static final String DOCUMENT =
      "# Title\n\nProse before.\n\n"
          + "<!-- placement-report:begin lookup -->\nold table\n<!-- placement-report:end lookup -->\n"
          + "\nProse between, with | pipes | and `code`.\n\n"
          + "<!-- placement-report:begin quality -->\n<!-- placement-report:end quality -->\n"
          + "\nProse after.\n";

  @Test
  void replacesTheContentBetweenMarkersAndKeepsEverythingElse() {
    String updated =
        MarkedRegions.update(
            DOCUMENT,
            List.of(new Region("lookup", "Lookup", "| a |\n"), new Region("quality", "Q", "B")));

    assertThat(updated)
        .isEqualTo(
            "# Title\n\nProse before.\n\n"
                + "<!-- placement-report:begin lookup -->\n\n| a |\n\n"
                + "<!-- placement-report:end lookup -->\n"
                + "\nProse between, with | pipes | and `code`.\n\n"
                + "<!-- placement-report:begin quality -->\n\nB\n\n"
                + "<!-- placement-report:end quality -->\n"
                + "\nProse after.\n");
  }

  @Test
  void updatingTwiceGivesTheSameDocument() {
    List<Region> regions = List.of(new Region("lookup", "Lookup", "new table"));
    String once = MarkedRegions.update(DOCUMENT, regions);

    assertThat(MarkedRegions.update(once, regions)).isEqualTo(once);
  }

  @Test
  void aMissingRegionIsAppendedUnderItsTitle() {
    String updated =
        MarkedRegions.update("# Title\n\nProse.\n", List.of(new Region("run", "The run", "x")));

    assertThat(updated)
        .isEqualTo(
            "# Title\n\nProse.\n\n## The run\n\n"
                + "<!-- placement-report:begin run -->\n\nx\n\n<!-- placement-report:end run -->\n");
  }

  @Test
  void unbalancedMarkersAreRejected() {
    String noEnd = "<!-- placement-report:begin run -->\n";
    String twice =
        "<!-- placement-report:begin run -->\n<!-- placement-report:end run -->\n"
            + "<!-- placement-report:begin run -->\n<!-- placement-report:end run -->\n";
    String reversed = "<!-- placement-report:end run -->\n<!-- placement-report:begin run -->\n";
    List<Region> run = List.of(new Region("run", "The run", "x"));

    for (String document : List.of(noEnd, twice, reversed)) {
      assertThatThrownBy(() -> MarkedRegions.update(document, run))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("document: markers of region run (expected: one ");
    }
  }

  @Test
  void regionNamesAreLowerCaseWords() {
    assertThatThrownBy(() -> new Region("Run -->", "t", "c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name: Run --> (expected: a-z and dashes)");
  }
}
