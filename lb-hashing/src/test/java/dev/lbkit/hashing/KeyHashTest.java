package dev.lbkit.hashing;

import static java.nio.charset.StandardCharsets.UTF_16LE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dynatrace.hash4j.hashing.Hashing;
import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins {@link KeyHash}, the placement format {@value KeyHash#FORMAT}: XXH3-64 with seed 0 of
 * UTF-16LE code units, and for a virtual node the name's code units followed by the index as four
 * little-endian bytes. Each check builds the bytes by hand and hashes them with hash4j's byte-array
 * XXH3, so the format is checked against its definition, not against the implementation.
 */
class KeyHashTest {

  /** Strings of every kind: empty, ASCII, Latin-1, CJK, surrogate pairs, separators. */
  private static final List<String> SAMPLES =
      List.of(
          "",
          "a",
          "user:123",
          "key:0",
          "10.0.0.1:8080",
          "héllo wörld",
          "日本語のキー",
          "\uD83D\uDE00 emoji", // U+1F600 as a surrogate pair
          "\uD834\uDD1E\uD83D\uDE80", // U+1D11E U+1F680
          "tab\tnew\nline\u0000nul",
          "\uFFFF\uFEFF");

  @Test
  void formatNameIsV1() {
    assertThat(KeyHash.FORMAT).isEqualTo("lbkit-xxh3-64-utf16le-v1");
  }

  @Test
  void keyHashIsXxh3OfUtf16LeBytes() {
    for (String s : SAMPLES) {
      long expected = Hashing.xxh3_64().hashBytesToLong(s.getBytes(UTF_16LE));
      assertThat(KeyHash.of(s)).as("KeyHash.of(\"%s\")", s).isEqualTo(expected);
    }
  }

  @Test
  void keyHashMatchesAtEveryLengthXxh3TreatsDifferently() {
    // XXH3 has separate code paths for 0, 1-3, 4-8, 9-16, 17-128, 129-240 and > 240 bytes, and
    // for long inputs, stripes of 64 and blocks of 1024 bytes; a key of n chars is 2n bytes.
    char[] chars = new char[1200];
    for (int n = 0; n < chars.length; n++) {
      chars[n] = (char) ('a' + n % 26 + (n % 7 == 0 ? 0x3000 : 0)); // some CJK-range code units
    }
    for (int n = 0; n <= chars.length; n++) {
      String s = new String(chars, 0, n);
      long expected = Hashing.xxh3_64().hashBytesToLong(s.getBytes(UTF_16LE));
      assertThat(KeyHash.of(s)).as("key of %d chars", n).isEqualTo(expected);
    }
  }

  @Test
  void keyHashReadsCodeUnitsSoAnUnpairedSurrogateIsHashedAsIs() {
    // getBytes(UTF_16LE) would replace a lone surrogate; the format hashes the code unit itself.
    for (String s : List.of("\uD800", "a\uDC00b", "\uDBFF\uDBFF")) {
      assertThat(KeyHash.of(s)).isEqualTo(ReferenceRing.xxh3(ReferenceRing.utf16le(s)));
    }
  }

  @Test
  void keyHashDependsOnlyOnTheCharactersNotOnTheCharSequenceType() {
    for (String s : SAMPLES) {
      assertThat(KeyHash.of(CharBuffer.wrap(s))).isEqualTo(KeyHash.of(s));
    }
  }

  @Test
  void replicaIsXxh3OfNameBytesFollowedByLittleEndianIndex() {
    int[] indexes = {
      0, 1, 2, 127, 128, 149, 255, 256, 65_535, 65_536, 0x01020304, Integer.MAX_VALUE
    };
    for (String name : SAMPLES) {
      for (int i : indexes) {
        byte[] nameBytes = name.getBytes(UTF_16LE);
        byte[] bytes = new byte[nameBytes.length + 4];
        System.arraycopy(nameBytes, 0, bytes, 0, nameBytes.length);
        bytes[nameBytes.length] = (byte) (i & 0xFF);
        bytes[nameBytes.length + 1] = (byte) ((i >>> 8) & 0xFF);
        bytes[nameBytes.length + 2] = (byte) ((i >>> 16) & 0xFF);
        bytes[nameBytes.length + 3] = (byte) ((i >>> 24) & 0xFF);
        long expected = Hashing.xxh3_64().hashBytesToLong(bytes);
        assertThat(KeyHash.replica(name, i))
            .as("KeyHash.replica(\"%s\", %d)", name, i)
            .isEqualTo(expected);
      }
    }
  }

  /**
   * The ring hashes a node's replicas in bulk, one byte array whose last four bytes it rewrites: it
   * must give replica(name, i) for every i, including indexes whose upper bytes are set and names
   * with surrogates (unpaired too) and an empty name.
   */
  @Test
  void replicasInBulkAreTheReplicasOneByOne() {
    int[][] ranges = {{0, 150}, {250, 260}, {65_530, 65_540}, {(1 << 21) - 3, 1 << 21}};
    for (String name : List.of("node-0", "10.0.3.17:8080", "日本語", "\uD83D\uDE00", "\uD800x", "")) {
      for (int[] range : ranges) {
        long[] bulk = KeyHash.replicas(name, range[0], range[1]);
        assertThat(bulk).hasSize(range[1] - range[0]);
        for (int i = range[0]; i < range[1]; i++) {
          assertThat(bulk[i - range[0]]).as("%s #%d", name, i).isEqualTo(KeyHash.replica(name, i));
        }
      }
    }
  }

  @Test
  void replicasOfOneNodeAreDistinct() {
    List<Long> positions = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      positions.add(KeyHash.replica("node-0", i));
    }
    assertThat(positions).doesNotHaveDuplicates();
  }

  /**
   * Golden values, computed once with the v1 implementation and checked in. If one of these
   * changes, every user's keys move: that needs a new {@link KeyHash#FORMAT}, not a new literal.
   */
  @Test
  void goldenValuesOfFormatV1() {
    assertThat(KeyHash.of("")).isEqualTo(0x2d06800538d394c2L);
    assertThat(KeyHash.of("a")).isEqualTo(0x0d78baac08237ddbL);
    assertThat(KeyHash.of("user:123")).isEqualTo(0x411d8b763c4b10eaL);
    assertThat(KeyHash.of("key-0")).isEqualTo(0x2e5bd8527e99929fL);
    assertThat(KeyHash.of("héllo wörld")).isEqualTo(0xb3d0d9fefa5d3854L);
    assertThat(KeyHash.of("日本語")).isEqualTo(0xc0fbc54835e60f31L);
    assertThat(KeyHash.of("\uD83D\uDE00 emoji")).isEqualTo(0xae6f3c9c5e0142ecL);
    assertThat(KeyHash.replica("node-0", 0)).isEqualTo(0xa269d4da80e8c91dL);
    assertThat(KeyHash.replica("node-0", 149)).isEqualTo(0xaad8c7b44b303f7cL);
    assertThat(KeyHash.replica("server1", 7)).isEqualTo(0xfdfafd585cae9fddL);
  }

  @Test
  void nullKeyIsRejectedNamingIt() {
    assertThatThrownBy(() -> KeyHash.of(nullString()))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
  }

  @Test
  void nullNodeNameIsRejectedNamingIt() {
    assertThatThrownBy(() -> KeyHash.replica(nullString(), 0))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("nodeName");
  }

  @Test
  void negativeIndexIsRejectedWithTheValue() {
    assertThatThrownBy(() -> KeyHash.replica("node-0", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index: -1 (expected: >= 0)");
    assertThatThrownBy(() -> KeyHash.replica("node-0", Integer.MIN_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index: " + Integer.MIN_VALUE);
  }

  /** A null typed as non-null, to test the null checks without a cast at every call site. */
  @SuppressWarnings("NullAway") // deliberately returns null where the API forbids it
  private static String nullString() {
    return null;
  }
}
