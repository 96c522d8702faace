//! `--shard i/N`: which of the selected tests this machine runs. Tests are split in groups
//! that must share a worker (a file that is not parallel, a serial describe), in listing order,
//! and a group goes to the shard its first test falls in when the tests are counted out
//! evenly, first shards taking one more: the split Playwright makes by default, so every shard
//! of a fleet, ours or Playwright's, agrees on who runs what.

use std::collections::HashMap;

/// One shard of `total`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 1.
    pub current: u32,
    /// How many there are.
    pub total: u32,
}

impl Shard {
    /// `i/N`, as `--shard` takes it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("\"{text}\" is not a shard: expected current/total, such as 1/4");
        let (a, b) = text.split_once('/').ok_or_else(bad)?;
        let current: u32 = a.trim().parse().map_err(|_| bad())?;
        let total: u32 = b.trim().parse().map_err(|_| bad())?;
        Self::new(current, total)
    }

    /// Shard `current` of `total`, checked.
    pub fn new(current: u32, total: u32) -> Result<Self, String> {
        if total == 0 || current == 0 || current > total {
            return Err(format!(
                "shard {current}/{total}: the current shard must be between 1 and the total ({total})"
            ));
        }
        Ok(Self { current, total })
    }
}

/// What decides a test's group: its project and file, and for a test that may run on its own
/// (a parallel file or describe) its serial group or else the test itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum GroupKey {
    /// Tests that share a worker: a file that is not parallel.
    File(usize, String),
    /// A serial describe inside a parallel file.
    Serial(usize, String, u64),
    /// A test of a parallel file, alone.
    Test(usize, String, usize),
}

/// For each test (in listing order, by its group key), whether `shard` runs it.
pub(crate) fn in_shard(keys: &[GroupKey], shard: Shard) -> Vec<bool> {
    // Groups in the order of their first test, with their size.
    let mut order: Vec<(GroupKey, usize)> = Vec::new();
    let mut index: HashMap<&GroupKey, usize> = HashMap::new();
    for key in keys {
        match index.get(key) {
            Some(&i) => order[i].1 += 1,
            None => {
                index.insert(key, order.len());
                order.push((key.clone(), 1));
            }
        }
    }
    let total = keys.len();
    let shards = shard.total as usize;
    let size = total / shards;
    let extra = total - size * shards;
    let me = shard.current as usize - 1;
    let from = size * me + extra.min(me);
    let to = from + size + usize::from(me < extra);
    let mut mine: HashMap<&GroupKey, bool> = HashMap::new();
    let mut seen = 0;
    for (key, count) in &order {
        mine.insert(key, seen >= from && seen < to);
        seen += count;
    }
    keys.iter().map(|k| mine[k]).collect()
}

/// Puts `items` in an order that depends only on `seed` (Fisher-Yates on splitmix64), so
/// `--shuffle <seed>` repeats a run's order exactly.
pub(crate) fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// How `--shard` splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShardBalance {
    /// By test count, as Playwright does.
    #[default]
    Count,
    /// By the durations the timings file expects: the longest groups first, each to the
    /// shard with the least time so far, so the shards finish together.
    Duration,
}

impl ShardBalance {
    /// `count` or `duration`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "count" => Ok(Self::Count),
            "duration" => Ok(Self::Duration),
            other => Err(format!(
                "\"{other}\" is not a shard balance (count, duration)"
            )),
        }
    }
}

/// For each test, whether `shard` runs it when the groups are dealt out by duration:
/// `durations[i]` is test `i`'s expected time. Every shard computes the same deal from the
/// same timings, so they agree without talking.
pub(crate) fn in_shard_by_duration(
    keys: &[GroupKey],
    durations: &[u64],
    shard: Shard,
) -> Vec<bool> {
    let mut order: Vec<(GroupKey, u64)> = Vec::new();
    let mut index: HashMap<&GroupKey, usize> = HashMap::new();
    for (key, &ms) in keys.iter().zip(durations) {
        match index.get(key) {
            Some(&i) => order[i].1 += ms,
            None => {
                index.insert(key, order.len());
                order.push((key.clone(), ms));
            }
        }
    }
    // Longest first; equal ones in listing order.
    let mut by_weight: Vec<usize> = (0..order.len()).collect();
    by_weight.sort_by(|&a, &b| order[b].1.cmp(&order[a].1).then(a.cmp(&b)));
    let mut load = vec![0u64; shard.total as usize];
    let mut owner = vec![0usize; order.len()];
    for g in by_weight {
        let (least, _) = load
            .iter()
            .enumerate()
            .min_by_key(|&(i, l)| (*l, i))
            .expect("at least one shard");
        load[least] += order[g].1;
        owner[g] = least;
    }
    let me = shard.current as usize - 1;
    keys.iter().map(|k| owner[index[k]] == me).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tests(n: usize) -> Vec<GroupKey> {
        (0..n).map(|i| GroupKey::Test(0, "a".into(), i)).collect()
    }

    #[test]
    fn shards_split_by_count_and_cover_every_test_once() {
        for total in 1..=5u32 {
            for n in [0usize, 1, 7, 10, 23] {
                let keys = tests(n);
                let mut covered = vec![0; n];
                for current in 1..=total {
                    let runs = in_shard(&keys, Shard::new(current, total).expect("shard"));
                    for (i, r) in runs.iter().enumerate() {
                        covered[i] += usize::from(*r);
                    }
                }
                assert!(covered.iter().all(|&c| c == 1), "{total} {n}: {covered:?}");
            }
        }
        // 10 over 3: 4, 3, 3, the first shards taking the extra one.
        let count = |c| {
            in_shard(&tests(10), Shard::new(c, 3).expect("shard"))
                .iter()
                .filter(|r| **r)
                .count()
        };
        assert_eq!([count(1), count(2), count(3)], [4, 3, 3]);
    }

    #[test]
    fn a_group_goes_whole_to_the_shard_of_its_first_test() {
        // A file of 3 tests that share a worker, then 3 parallel tests: over 2 shards, the
        // file starts at 0 (shard 1, range 0..3) and the rest count from 3 (shard 2).
        let mut keys = vec![GroupKey::File(0, "a".into()); 3];
        keys.extend((0..3).map(|i| GroupKey::Test(0, "b".into(), i)));
        let one = in_shard(&keys, Shard::new(1, 2).expect("shard"));
        assert_eq!(one, [true, true, true, false, false, false]);
        // With 4 shards (ranges 0..2, 2..4, 4..5, 5..6) the file still goes whole to shard 1,
        // and each parallel test to the shard its position falls in.
        let shard = |c| in_shard(&keys, Shard::new(c, 4).expect("shard"));
        assert_eq!(shard(2), [false, false, false, true, false, false]);
        assert_eq!(shard(3), [false, false, false, false, true, false]);
        assert_eq!(shard(4), [false, false, false, false, false, true]);
    }

    #[test]
    fn a_duration_deal_evens_out_skewed_tests_and_keeps_groups_whole() {
        // 8 slow tests at the front, 40 quick ones after: a count split puts every slow one
        // in the first two shards.
        let keys = tests(48);
        let durations: Vec<u64> = (0..48).map(|i| if i < 8 { 1000 } else { 50 }).collect();
        let total: u64 = durations.iter().sum();
        let mut covered = vec![0; 48];
        let mut longest = 0;
        for c in 1..=4 {
            let mine = in_shard_by_duration(&keys, &durations, Shard::new(c, 4).expect("shard"));
            let load: u64 = mine
                .iter()
                .zip(&durations)
                .filter(|(m, _)| **m)
                .map(|(_, d)| d)
                .sum();
            longest = longest.max(load);
            for (i, m) in mine.iter().enumerate() {
                covered[i] += usize::from(*m);
            }
        }
        assert!(covered.iter().all(|&c| c == 1));
        assert_eq!(longest, total / 4, "an exact deal exists here and is found");
        // A group is dealt whole.
        let mut keys = vec![GroupKey::Serial(0, "a".into(), 1); 3];
        keys.push(GroupKey::Test(0, "a".into(), 9));
        for c in 1..=2 {
            let mine = in_shard_by_duration(&keys, &[5, 5, 5, 1], Shard::new(c, 2).expect("shard"));
            assert!(mine[..3].iter().all(|m| *m == mine[0]));
        }
    }

    #[test]
    fn a_shuffle_is_a_permutation_fixed_by_its_seed() {
        let order = |seed| {
            let mut v: Vec<u32> = (0..20).collect();
            shuffle(&mut v, seed);
            v
        };
        assert_eq!(order(7), order(7));
        assert_ne!(order(7), order(8));
        let mut sorted = order(7);
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn bad_shards_say_what_is_expected() {
        assert_eq!(
            Shard::parse("2/4"),
            Ok(Shard {
                current: 2,
                total: 4
            })
        );
        assert!(
            Shard::parse("0/4")
                .unwrap_err()
                .contains("between 1 and the total")
        );
        assert!(Shard::parse("5/4").is_err());
        assert!(Shard::parse("x").unwrap_err().contains("current/total"));
    }
}
