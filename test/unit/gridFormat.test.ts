/**
 * How the grid (and the HTML report, which uses the same function) shows
 * values: fractional columns at fixed decimals so a column lines up, the
 * unrounded value for the tooltip, timestamps as date and time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatValue, fullValue } from '../../renderer/ui/grid.ts';

describe('grid values', () => {
  it('a DOUBLE column shows two decimals, integral credits included, with thousands separators', () => {
    assert.equal(formatValue(2.3333333333, 'DOUBLE'), '2.33');
    assert.equal(formatValue(8, 'DOUBLE'), '8.00');
    assert.equal(formatValue(1379.6, 'DOUBLE'), '1,379.60');
    assert.equal(formatValue(-1234567.891, 'DOUBLE'), '-1,234,567.89');
    assert.equal(formatValue(0, 'DOUBLE'), '0.00');
    // rounding half away from zero at the second decimal, as a reader expects of money
    assert.equal(formatValue(2.675, 'DOUBLE'), '2.68');
  });
  it('a value too small for two decimals keeps three significant digits rather than reading 0.00', () => {
    assert.equal(formatValue(0.001234, 'DOUBLE'), '0.00123');
    assert.equal(formatValue(-0.004, 'DOUBLE'), '-0.00400');
    assert.equal(formatValue(0.005, 'DOUBLE'), '0.01');
  });
  it('DECIMAL(p,s) shows its scale (at most 4); integers and BIGINT text stay whole', () => {
    assert.equal(formatValue(12.5, 'DECIMAL(18,3)'), '12.500');
    assert.equal(formatValue('12.5', 'DECIMAL(38,10)'), '12.5000');
    assert.equal(formatValue(1234, 'INTEGER'), '1,234');
    // past 2^53 a BIGINT comes as text: shown exactly, not through a double (which reads ...992)
    assert.equal(formatValue('9007199254740993', 'BIGINT'), '9,007,199,254,740,993');
    assert.equal(formatValue(2.5, 'INTEGER'), '2.5');
  });
  it('the tooltip gives the unrounded value only where the cell rounded it', () => {
    assert.equal(fullValue(2.3333333333, 'DOUBLE'), '2.3333333333');
    assert.equal(fullValue(8, 'DOUBLE'), undefined);
    assert.equal(fullValue(1379.6, 'DOUBLE'), undefined);
    assert.equal(fullValue(0.001234567, 'DOUBLE'), '0.001234567');
    assert.equal(fullValue(2.5, 'DOUBLE'), undefined);
    assert.equal(fullValue(7, 'INTEGER'), undefined);
    assert.equal(fullValue('x', 'VARCHAR'), undefined);
  });
  it('timestamps read as date and time in UTC; milliseconds only when there are some', () => {
    assert.equal(formatValue('2025-03-01T09:05:07.000Z', 'TIMESTAMP'), '2025-03-01 09:05:07');
    assert.equal(formatValue('2025-03-01T09:05:07.250Z', 'TIMESTAMP'), '2025-03-01 09:05:07.250');
    assert.equal(formatValue('2025-03-01T09:05:07.000Z', 'TIMESTAMP WITH TIME ZONE'), '2025-03-01 09:05:07 UTC');
    assert.equal(formatValue('2025-03-01T00:00:00.000Z', 'DATE'), '2025-03-01');
    assert.equal(formatValue('infinity', 'TIMESTAMP'), 'infinity');
  });
  it('NULL, booleans and text', () => {
    assert.equal(formatValue(null, 'DOUBLE'), 'NULL');
    assert.equal(formatValue(true, 'BOOLEAN'), 'true');
    assert.equal(formatValue('a,b', 'VARCHAR'), 'a,b');
  });
});
