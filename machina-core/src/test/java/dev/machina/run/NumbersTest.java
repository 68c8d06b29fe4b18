package dev.machina.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NumbersTest {
    @Test
    void integersStayIntegersOthersGetFourSignificantDigits() {
        assertEquals("30", Numbers.format(30.0));
        assertEquals("0", Numbers.format(0.0));
        assertEquals("0.3399", Numbers.format(0.33987382171));
        assertEquals("0.9861", Numbers.format(0.98611111));
        assertEquals("23626", Numbers.format(23626.2073));
        assertEquals("1235", Numbers.format(1234.56));
        assertEquals("0.001", Numbers.format(0.001));
        assertEquals("-12.35", Numbers.format(-12.3456));
        assertEquals("—", Numbers.format(Double.NaN));
    }

    @Test
    void verySmallAndLargeAreScientificWithAlignedExponents() {
        assertEquals("2.7e-06", Numbers.format(2.7e-6));
        assertEquals("1.872e-04", Numbers.format(1.8715056695544678E-4));
        assertEquals("1e-04", Numbers.format(1e-4));
        assertEquals("3.5e+12", Numbers.format(3.5e12));
    }

    @Test
    void textIsFormattedOnlyWhenItIsANumber() {
        assertEquals("1.872e-04", Numbers.format("1.8715056695544678E-4"));
        assertEquals("0.001", Numbers.format("1.0E-3"));
        assertEquals("64", Numbers.format("64"));
        assertEquals("adam", Numbers.format("adam"));
        assertEquals("20261202-071500", Numbers.format("20261202-071500"));
    }
}
