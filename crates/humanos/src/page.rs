//! Paginated lists.

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use humanos_models::{
    ActionEntity, ActionListEntity, ActionVersionDetailEntity, ActionVersionListEntity,
    GroupEntity, GroupsEntity, RequestEntity, RequestsEntity, ResourceEntity, ResourcesEntity,
};
use serde::de::DeserializeOwned;
use serde_json::Number;

use crate::call::{Answer, Call};
use crate::{Error, Result};

/// One page of a list endpoint (`requests().list`, `actions().list`, `actions().versions`,
/// `approval().list`, `approval().workflows`).
///
/// Pages are zero-based, as `pageIndex` is. Walk every page with [`Call::stream`] (items) or
/// [`Call::pages`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page (`data` on the wire).
    pub items: Vec<T>,
    /// Number of pages for the query (`totalPages` on the wire).
    pub total_pages: u64,
    /// Index of this page (the `pageIndex` that was requested; 0 when none was).
    pub page_index: u64,
}

impl<T> Page<T> {
    /// A page, for tests and for code that builds pages of its own.
    pub fn new(items: Vec<T>, total_pages: u64, page_index: u64) -> Self {
        Self {
            items,
            total_pages,
            page_index,
        }
    }

    /// The index of the next page, if there is one.
    pub fn next_page_index(&self) -> Option<u64> {
        let next = self.page_index.checked_add(1)?;
        (next < self.total_pages && !self.items.is_empty()).then_some(next)
    }

    /// Whether a page follows this one.
    pub fn has_next(&self) -> bool {
        self.next_page_index().is_some()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// A list entity of the models crate: `{"data": [...], "totalPages": n}`.
pub(crate) trait ListEntity: DeserializeOwned {
    type Item;
    fn into_parts(self) -> (Vec<Self::Item>, Number);
}

macro_rules! list_entity {
    ($($list:ty => $item:ty),* $(,)?) => {$(
        impl ListEntity for $list {
            type Item = $item;
            fn into_parts(self) -> (Vec<$item>, Number) {
                (self.data, self.total_pages)
            }
        }
    )*};
}

list_entity! {
    RequestsEntity => RequestEntity,
    ActionListEntity => ActionEntity,
    ActionVersionListEntity => ActionVersionDetailEntity,
    ResourcesEntity => ResourceEntity,
    GroupsEntity => GroupEntity,
}

/// Decodes a list entity into a [`Page`].
pub(crate) fn decode_page<L: ListEntity>(answer: Answer) -> Result<Page<L::Item>> {
    if !answer.is_success() {
        return Err(answer.into_error());
    }
    let list: L = answer.json()?;
    let (items, total) = list.into_parts();
    let total_pages = total
        .as_u64()
        .or_else(|| {
            total
                .as_f64()
                .filter(|f| *f >= 0.0)
                .map(|f| f.ceil() as u64)
        })
        .unwrap_or(0);
    Ok(Page {
        items,
        total_pages,
        page_index: answer.page_index,
    })
}

impl<T: Send + 'static> Call<Page<T>> {
    /// Every page from the requested one (`pageIndex`, default 0) to the last, fetched lazily
    /// one after the other. Each page is a separate call with its own retries. The stream ends
    /// after the last page (`totalPages`), after an empty page, or after the first error.
    pub fn pages(self) -> impl Stream<Item = Result<Page<T>>> + Send + Unpin + 'static {
        stream::try_unfold(Some(self), |state| async move {
            let Some(call) = state else {
                return Ok::<_, Error>(None);
            };
            let template = call.at_page(0);
            let page = call.send().await?;
            let next = match (template, page.next_page_index()) {
                (Some(template), Some(index)) => template.at_page(index),
                _ => None,
            };
            Ok(Some((page, next)))
        })
        .boxed()
    }

    /// Every item of every page, fetched lazily page by page (see [`pages`](Self::pages)).
    ///
    /// ```no_run
    /// # async fn run(client: humanos::HumanosClient) -> Result<(), humanos::Error> {
    /// use futures_util::TryStreamExt;
    /// use humanos::models::RequestQuery;
    ///
    /// let mut requests = client.requests().list(RequestQuery::new().page_size(50)).stream();
    /// while let Some(request) = requests.try_next().await? {
    ///     println!("{} created {}", request.id, request.created_at);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> impl Stream<Item = Result<T>> + Send + Unpin + 'static {
        self.pages()
            .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// Every item of every page, collected.
    pub async fn collect_all(self) -> Result<Vec<T>> {
        self.stream().try_collect().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_page_index_stops_at_the_last_or_an_empty_page() {
        assert_eq!(Page::new(vec![1], 3, 0).next_page_index(), Some(1));
        assert_eq!(Page::new(vec![1], 3, 2).next_page_index(), None);
        assert_eq!(Page::<u8>::new(vec![], 3, 0).next_page_index(), None);
        assert_eq!(Page::new(vec![1], 0, 0).next_page_index(), None);
        assert_eq!(
            Page::new(vec![1], u64::MAX, u64::MAX).next_page_index(),
            None
        );
    }
}
