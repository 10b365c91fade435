package dev.lbkit.benchmarks.placement;

import java.util.List;
import java.util.Objects;

/**
 * Replaces the generated parts of a markdown document and keeps everything else, so prose written
 * by hand around the tables survives every run. A region named {@code lookup} is the text between
 *
 * <pre>
 * &lt;!-- placement-report:begin lookup --&gt;
 * &lt;!-- placement-report:end lookup --&gt;
 * </pre>
 *
 * (HTML comments, invisible when the markdown is rendered). A region the document lacks is appended
 * at its end under its title, and may then be moved anywhere by hand.
 */
final class MarkedRegions {

  /**
   * One generated part of the document.
   *
   * @param name the name in its markers: lower case letters and dashes
   * @param title the heading put above it when it is appended
   * @param content its markdown, without markers
   */
  record Region(String name, String title, String content) {

    Region {
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(content, "content");
      if (!name.matches("[a-z][a-z-]*")) {
        throw new IllegalArgumentException("name: " + name + " (expected: a-z and dashes)");
      }
    }

    String begin() {
      return "<!-- placement-report:begin " + name + " -->";
    }

    String end() {
      return "<!-- placement-report:end " + name + " -->";
    }
  }

  private MarkedRegions() {}

  /**
   * Returns {@code document} with the content of each of {@code regions} between its markers.
   *
   * @throws IllegalArgumentException if a region's markers are not exactly one begin followed by
   *     one end
   */
  static String update(String document, List<Region> regions) {
    String out = document;
    for (Region region : regions) {
      out = update(out, region);
    }
    return out;
  }

  private static String update(String document, Region region) {
    int begin = document.indexOf(region.begin());
    int end = document.indexOf(region.end());
    if (begin < 0 && end < 0) {
      String head = document.isBlank() ? "" : document.stripTrailing() + "\n\n";
      return head + "## " + region.title() + "\n\n" + marked(region) + "\n";
    }
    if (begin < 0
        || end < begin
        || document.indexOf(region.begin(), begin + 1) >= 0
        || document.indexOf(region.end(), end + 1) >= 0) {
      throw new IllegalArgumentException(
          "document: markers of region "
              + region.name()
              + " (expected: one "
              + region.begin()
              + " followed by one "
              + region.end()
              + ")");
    }
    return document.substring(0, begin)
        + marked(region)
        + document.substring(end + region.end().length());
  }

  private static String marked(Region region) {
    String content = region.content().strip();
    return region.begin() + "\n\n" + content + "\n\n" + region.end();
  }
}
