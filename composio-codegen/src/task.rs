//! Running the live commands' futures side by side.

use tokio::task::JoinSet;

use crate::fetch::FetchError;

/// Runs futures concurrently on the current runtime; results in input order. The first error
/// aborts the others.
pub(crate) async fn join_all<T, F>(futures: impl IntoIterator<Item = F>) -> Result<Vec<T>, FetchError>
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, FetchError>> + Send + 'static,
{
    let mut set = JoinSet::new();
    let mut count = 0;
    for (i, future) in futures.into_iter().enumerate() {
        set.spawn(async move { (i, future.await) });
        count += 1;
    }
    let mut out: Vec<Option<T>> = (0..count).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, result) = joined.map_err(|e| FetchError::Internal(format!("a fetch task failed: {e}")))?;
        out[i] = Some(result?);
    }
    Ok(out.into_iter().flatten().collect())
}
