//! The known option name nearest to a misspelt one (`audiance` → `audience`).

/// Edit distance between `a` and `b`, ignoring ASCII case.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// The known name closest to `name`; ties go to the first in `known`.
pub fn nearest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    // A 10 KB name is not a typo; comparing it would only cost time.
    if name.chars().count() > 64 {
        return None;
    }
    known.iter().copied().min_by_key(|k| distance(name, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_intended_name() {
        let known = ["algorithms", "issuer", "audience", "allowMultipleAudiences", "clockTolerance", "maxTokenAge"];
        assert_eq!(nearest("audiance", &known), Some("audience"));
        assert_eq!(nearest("Issuer", &known), Some("issuer"));
        assert_eq!(nearest("clocktolerance", &known), Some("clockTolerance"));
        assert_eq!(nearest("algorithm", &known), Some("algorithms"));
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
