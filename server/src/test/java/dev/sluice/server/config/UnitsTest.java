package dev.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The units every size and duration flag (and its environment variable) is written in. */
class UnitsTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "1024, 1024",
        "7b, 7",
        "7B, 7",
        "64KiB, 65536",
        "64k, 65536",
        "64kb, 65536",
        "16MiB, 16777216",
        "16 MiB, 16777216",
        "1GiB, 1073741824",
        "' 2g ', 2147483648",
    })
    void bytes_readsBinaryMultiples(String text, long expected) {
        assertThat(Units.bytes(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lots", "-1", "1.5MiB", "12x", "MiB", "1TiB"})
    void bytes_refusesWhatIsNotASize_withExamples(String text) {
        assertThatThrownBy(() -> Units.bytes(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a size: '" + text + "'").hasMessageContaining("64KiB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"8589934592GiB", "99999999999999999999"})
    void bytes_refusesWhatDoesNotFitALong_withAPreciseMessage(String text) {
        assertThatThrownBy(() -> Units.bytes(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size too large: '" + text + "'");
    }

    @ParameterizedTest
    @CsvSource({
        "250ms, PT0.25S",
        "10s, PT10S",
        "10S, PT10S",
        "5m, PT5M",
        "1h, PT1H",
        "0s, PT0S",
        "' 3 s ', PT3S",
        "PT1.5S, PT1.5S",
        "PT1H, PT1H",
    })
    void duration_readsSuffixesAndIso8601(String text, String expected) {
        assertThat(Units.duration(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "10", "1.5s", "10 sec", "1d", "-5s"})
    void duration_refusesWhatIsNotADuration_withExamples(String text) {
        assertThatThrownBy(() -> Units.duration(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a duration: '" + text + "'").hasMessageContaining("250ms");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999s", "9223372036854775807h"})
    void duration_refusesWhatDoesNotFit_withAPreciseMessage(String text) {
        assertThatThrownBy(() -> Units.duration(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duration too long: '" + text + "'");
    }

    @ParameterizedTest
    @CsvSource({"0, 0B", "1, 1B", "1000, 1000B", "1024, 1KiB", "1536, 1536B", "16777216, 16MiB",
        "1073741824, 1GiB", "3221225472, 3GiB"})
    void formatBytes_usesTheLargestExactUnit(long n, String expected) {
        assertThat(Units.formatBytes(n)).isEqualTo(expected);
    }
}
