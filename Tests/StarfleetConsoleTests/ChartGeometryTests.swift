import Testing

@testable import StarfleetConsole

@Suite struct ChartGeometryTests {
    @Test func theTopIsARoundNumberAtOrAboveTheLargestValue() {
        #expect(ChartGeometry.roundCeiling(0) == 1)
        #expect(ChartGeometry.roundCeiling(1) == 1)
        #expect(ChartGeometry.roundCeiling(3) == 5)
        #expect(ChartGeometry.roundCeiling(7) == 10)
        #expect(ChartGeometry.roundCeiling(11) == 20)
        #expect(ChartGeometry.roundCeiling(20) == 20)
        #expect(ChartGeometry.roundCeiling(460) == 500)
        #expect(ChartGeometry.roundCeiling(0.4) == 0.5)
        #expect(abs(ChartGeometry.roundCeiling(0.012) - 0.02) < 1e-12)
    }

    @Test func barsStackFromTheBottomInTheirSlotWithAGap() {
        let g = ChartGeometry(width: 100, height: 50, slots: 10, maxValue: 9)  // top 10
        let rects = g.stack([2, 0, 3], at: 4)
        #expect(rects.count == 3)
        #expect(rects.allSatisfy { $0.x == 41 && $0.width == 8 })
        #expect(rects[0] == .init(x: 41, y: 40, width: 8, height: 10))
        #expect(rects[1].height == 0 && rects[1].y == 40)
        #expect(rects[2] == .init(x: 41, y: 25, width: 8, height: 15))
    }

    @Test func valuesAboveTheTopAreClippedAndNarrowSlotsHaveNoGap() {
        let g = ChartGeometry(width: 10, height: 20, slots: 10, maxValue: 2)
        #expect(g.y(5) == 0)
        #expect(g.y(-1) == 20)
        #expect(g.slot(3) == (x: 3, width: 1))
    }

    @Test func linesPassThroughSlotCentresAndBreakWhereAValueIsMissing() {
        let g = ChartGeometry(width: 40, height: 10, slots: 4, maxValue: 10)
        let runs = g.line([1, 2, nil, 10])
        #expect(runs.count == 2)
        #expect(runs[0] == [.init(x: 5, y: 9), .init(x: 15, y: 8)])
        #expect(runs[1] == [.init(x: 35, y: 0)])
        #expect(g.line([nil, nil]).isEmpty)
    }
}
