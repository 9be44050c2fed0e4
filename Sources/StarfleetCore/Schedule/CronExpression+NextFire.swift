/// The fire-time search. Times are whole minutes since the epoch (minute 0 = 1970-01-01T00:00Z).
///
/// Why this shape: instead of testing minute after minute, each field's set is searched in turn (year, month,
/// day, hour, minute). When a field has no match left, the next-larger unit is stepped and the smaller ones reset,
/// so one loop iteration skips at least a whole hour, day, month or year. Overshooting (hour 24, day 32, month 13)
/// is never normalised by hand: the set lookups simply find nothing there, which carries to the next unit.
/// The worst case (a day rule that never matches, e.g. Feb 30) is about 12 iterations per year over 230 years.
extension CronExpression {
    static let firstYear = CronField.year.bounds.lowerBound
    static let lastYear = CronField.year.bounds.upperBound
    /// 2200-01-01T00:00Z in minutes: nothing can fire at or after it.
    static let endMinute = CivilDate(year: lastYear + 1, month: 1, day: 1).daysSinceEpoch * 1440

    /// The first fire minute >= `start`, or nil.
    func firstFireMinute(atOrAfter start: Int) -> Int? {
        guard start < Self.endMinute else { return nil }
        var (y, mo, d, h, mi) = Self.fields(ofMinute: max(start, 0))
        while true {
            guard let year = years.next(from: y, through: Self.lastYear) else { return nil }
            if year != y { (y, mo, d, h, mi) = (year, 1, 1, 0, 0) }

            guard let month = months.next(from: mo, through: 12) else {
                (y, mo, d, h, mi) = (y + 1, 1, 1, 0, 0)
                continue
            }
            if month != mo { (mo, d, h, mi) = (month, 1, 0, 0) }

            let length = CivilDate.daysInMonth(year: y, month: mo)
            guard let day = matchingDays(year: y, month: mo).next(from: d, through: length) else {
                (mo, d, h, mi) = (mo + 1, 1, 0, 0)
                continue
            }
            if day != d { (d, h, mi) = (day, 0, 0) }

            guard let hour = hours.next(from: h, through: 23) else {
                (d, h, mi) = (d + 1, 0, 0)
                continue
            }
            if hour != h { (h, mi) = (hour, 0) }

            guard let minute = minutes.next(from: mi, through: 59) else {
                (h, mi) = (h + 1, 0)
                continue
            }
            return Self.minute(year: y, month: mo, day: d, hour: h, minute: minute)
        }
    }

    /// The last fire minute <= `end`, or nil. The mirror of ``firstFireMinute(atOrAfter:)``: day 31 stands for
    /// "the last day of whatever month we land in" and is clamped once the month is known.
    func lastFireMinute(atOrBefore end: Int) -> Int? {
        guard end >= 0 else { return nil }
        var (y, mo, d, h, mi) = Self.fields(ofMinute: min(end, Self.endMinute - 1))
        while true {
            guard let year = years.previous(from: y, downTo: Self.firstYear) else { return nil }
            if year != y { (y, mo, d, h, mi) = (year, 12, 31, 23, 59) }

            guard let month = months.previous(from: mo, downTo: 1) else {
                (y, mo, d, h, mi) = (y - 1, 12, 31, 23, 59)
                continue
            }
            if month != mo { (mo, d, h, mi) = (month, 31, 23, 59) }

            let length = CivilDate.daysInMonth(year: y, month: mo)
            if d > length { (d, h, mi) = (length, 23, 59) }
            guard let day = matchingDays(year: y, month: mo).previous(from: d, downTo: 1) else {
                (mo, d, h, mi) = (mo - 1, 31, 23, 59)
                continue
            }
            if day != d { (d, h, mi) = (day, 23, 59) }

            guard let hour = hours.previous(from: h, downTo: 0) else {
                (d, h, mi) = (d - 1, 23, 59)
                continue
            }
            if hour != h { (h, mi) = (hour, 59) }

            guard let minute = minutes.previous(from: mi, downTo: 0) else {
                (h, mi) = (h - 1, 59)
                continue
            }
            return Self.minute(year: y, month: mo, day: d, hour: h, minute: minute)
        }
    }

    /// The days of `month` in `year` that the day rule selects.
    func matchingDays(year: Int, month: Int) -> CronValueSet {
        let length = CivilDate.daysInMonth(year: year, month: month)
        let firstDay = CivilDate(year: year, month: month, day: 1).daysSinceEpoch
        func weekday(_ day: Int) -> Int { CivilDate.weekday(daysSinceEpoch: firstDay + day - 1) }
        var result = CronValueSet()
        switch days {
        case .monthDays(let set):
            for day in 1...length where set.contains(day) { result.insert(day) }
        case .lastDayOfMonth:
            result.insert(length)
        case .lastWeekdayOfMonth:
            switch weekday(length) {
            case 7: result.insert(length - 1)  // Saturday → Friday
            case 1: result.insert(length - 2)  // Sunday → Friday
            default: result.insert(length)
            }
        case .nearestWeekday(let target):
            // As Quartz: the nearest Monday-Friday, but never crossing into another month. A target past the
            // end of a short month (31W in April) does not fire that month, like a plain 31 would not.
            guard target <= length else { break }
            switch weekday(target) {
            case 7: result.insert(target == 1 ? 3 : target - 1)  // Saturday → Friday, or Monday the 3rd
            case 1: result.insert(target == length ? target - 2 : target + 1)  // Sunday → Monday, or Friday
            default: result.insert(target)
            }
        case .weekdays(let set):
            for day in 1...length where set.contains(weekday(day)) { result.insert(day) }
        case .lastWeekdayInMonth(let wanted):
            result.insert(length - floorMod(weekday(length) - wanted, 7))
        case .nthWeekdayInMonth(let wanted, let nth):
            let day = 1 + floorMod(wanted - weekday(1), 7) + 7 * (nth - 1)
            if day <= length { result.insert(day) }
        }
        return result
    }

    static func fields(ofMinute minute: Int) -> (Int, Int, Int, Int, Int) {
        let date = CivilDate(daysSinceEpoch: floorDiv(minute, 1440))
        let inDay = floorMod(minute, 1440)
        return (date.year, date.month, date.day, inDay / 60, inDay % 60)
    }

    static func minute(year: Int, month: Int, day: Int, hour: Int, minute: Int) -> Int {
        CivilDate(year: year, month: month, day: day).daysSinceEpoch * 1440 + hour * 60 + minute
    }
}
